import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { makeTempDir, removeTempDirs } from '../../support/temp-dir.ts';
import { eventually, makeSpans, recordingLogger, spanIds, testConfig, useForwarderTestbed } from './capture-server.ts';

/** What the forwarder does with accepted spans the upstream has not taken when it shuts down. */

const bed = useForwarderTestbed({ shutdownMs: 500 });
afterAll(removeTempDirs);

function start(overrides: Parameters<typeof testConfig>[1] = {}) {
  const recorder = recordingLogger();
  const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, overrides), { logger: recorder.logger, dropReportIntervalMs: 60_000 });
  bed.forwarders.push(forwarder);
  return { forwarder, lines: recorder.lines };
}

describe('enqueue with force (spans already accepted)', () => {
  it('takes them past the queue bound and counts them, while new traffic is still refused', async () => {
    await bed.upstream.down();
    const { forwarder } = start({ queue: { maxSpans: 10 } });
    expect(forwarder.enqueue(makeSpans(8, 'new'))).toBe(true);
    expect(forwarder.enqueue(makeSpans(5, 'refused'))).toBe(false);
    expect(forwarder.enqueue(makeSpans(5, 'released'), { force: true })).toBe(true);
    expect(forwarder.stats()).toMatchObject({ queuedSpans: 13, admittedOverBound: 5, dropped: { queue_full: 5 } });
    // Within the bound a forced enqueue is an ordinary one: nothing counted over it.
    const roomy = start({ queue: { maxSpans: 100 } }).forwarder;
    expect(roomy.enqueue(makeSpans(5), { force: true })).toBe(true);
    expect(roomy.stats().admittedOverBound).toBe(0);

    await bed.upstream.up();
    await forwarder.forceFlush(10_000);
    expect(forwarder.stats()).toMatchObject({ forwardedSpans: 13, queuedSpans: 0 });
    expect(bed.upstream.spans.filter((span) => span.name.startsWith('released'))).toHaveLength(5);
  });
});

describe('shutdown deadline with the upstream down', () => {
  it('without a queue file counts the unsent spans as lost and says so in one error naming the count and that the persistent queue is off', async () => {
    await bed.upstream.down();
    const { forwarder, lines } = start({ batch: { maxSpans: 4 } });
    expect(forwarder.enqueue(makeSpans(10))).toBe(true);
    await eventually(() => forwarder.stats().retried >= 1, 'a failed attempt');
    await forwarder.shutdown(200);
    expect(forwarder.stats().dropped.shutdown_deadline).toBe(10);
    const errors = lines.filter((line) => line.level === 'error').map((line) => line.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^10 accepted spans were lost at shutdown: the upstream did not take them within the 200 ms shutdown deadline and the persistent queue is off \(no forward\.queue\.persistPath/);
  });

  it('with a queue file loses nothing: every span is on disk and the next start delivers it', async () => {
    await bed.upstream.down();
    const queueFile = join(makeTempDir('tj-forward-shutdown-'), 'forward.db');
    const first = start({ batch: { maxSpans: 4 }, queue: { persistPath: queueFile } });
    const spans = makeSpans(10);
    expect(first.forwarder.enqueue(spans)).toBe(true);
    expect(first.forwarder.enqueue(makeSpans(3, 'late'), { force: true })).toBe(true);
    await first.forwarder.shutdown(200);
    bed.forwarders.splice(bed.forwarders.indexOf(first.forwarder), 1);
    expect(first.forwarder.stats().dropped.shutdown_deadline).toBe(0);
    expect(first.lines.filter((line) => line.level === 'error')).toEqual([]);

    await bed.upstream.up();
    const second = start({ queue: { persistPath: queueFile } }).forwarder;
    expect(second.stats().queuedSpans).toBe(13);
    await second.forceFlush(10_000);
    expect(bed.upstream.spans.filter((span) => !span.name.startsWith('late')).map((span) => span.spanId).sort()).toEqual(spanIds(spans).sort());
    expect(bed.upstream.spans.filter((span) => span.name.startsWith('late'))).toHaveLength(3);
  });
});
