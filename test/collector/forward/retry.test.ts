import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { eventually, makeSpans, OK, recordingLogger, type ReplyScript, spanIds, testConfig, useForwarderTestbed } from './capture-server.ts';

const bed = useForwarderTestbed();

/** Answers `first` to the first `times` requests, then 200. */
function failing(times: number, first: ReturnType<ReplyScript>): ReplyScript {
  return (request, index) => (index < times ? first : OK(request, index));
}

// Both ways out: the OTLP exporter (memory) and the direct POST of stored bytes (persisted).
describe.each([{ persist: false }, { persist: true }])('retries, persisted $persist', ({ persist }) => {
  const forwarderFor = (overrides: Parameters<typeof testConfig>[1] = {}, logger = recordingLogger().logger) => {
    const queue = persist ? { persistPath: join(bed.dir, 'queue.db'), ...overrides.queue } : overrides.queue;
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { ...overrides, queue }), { logger, dropReportIntervalMs: 50 });
    bed.forwarders.push(forwarder);
    return forwarder;
  };

  it('delivers what was enqueued while the upstream was down once it is back', async () => {
    await bed.upstream.down();
    const forwarder = forwarderFor({ batch: { maxSpans: 5 } });
    const spans = makeSpans(20);
    expect(forwarder.enqueue(spans)).toBe(true);
    await eventually(() => forwarder.stats().retried >= 2, 'failed attempts');
    expect(forwarder.stats().queuedSpans).toBe(20);
    await bed.upstream.up();
    await forwarder.forceFlush(10_000);
    expect(bed.upstream.spans.map((span) => span.spanId).sort()).toEqual(spanIds(spans).sort());
    expect(forwarder.stats()).toMatchObject({ forwardedSpans: 20, queuedSpans: 0, dropped: { retries_exhausted: 0 } });
  });

  it('waits at least as long as a 503 Retry-After asks, though its own backoff is 10 ms', async () => {
    // Longer than the request timeout, so the OTLP exporter gives up at once and our retry
    // (not the exporter's own) is the one that must honor it.
    bed.upstream.script = failing(1, { status: 503, headers: { 'retry-after': '2' } });
    const forwarder = forwarderFor({ timeout: 1500 });
    forwarder.enqueue(makeSpans(4));
    await forwarder.forceFlush(10_000);
    expect(bed.upstream.requests).toHaveLength(2);
    expect(bed.upstream.requests[1].at - bed.upstream.requests[0].at).toBeGreaterThanOrEqual(1950);
    expect(bed.upstream.spans).toHaveLength(4);
    expect(forwarder.stats().retried).toBe(1);
  });

  it('retries 429 and 502/504 answers and dropped connections until one gets through', async () => {
    const answers: ReturnType<ReplyScript>[] = [{ status: 429 }, { status: 502 }, { destroy: true }, { status: 504 }];
    bed.upstream.script = (request, index) => answers[index] ?? OK(request, index);
    const forwarder = forwarderFor();
    forwarder.enqueue(makeSpans(3));
    await forwarder.forceFlush(10_000);
    expect(bed.upstream.requests).toHaveLength(5);
    expect(bed.upstream.requests.every((request) => request.spans.length === 3)).toBe(true);
    expect(forwarder.stats()).toMatchObject({ forwardedSpans: 3, retried: 4 });
  });

  it('does not retry a 500 or a 400 (OTLP: only 429/502/503/504), counts the drop and says why', async () => {
    const recorder = recordingLogger();
    bed.upstream.script = (_request, index) => ({ status: index === 0 ? 500 : 400, body: 'no thanks' });
    const forwarder = forwarderFor({ batch: { maxSpans: 2, maxInFlight: 1 } }, recorder.logger);
    forwarder.enqueue(makeSpans(4));
    await forwarder.forceFlush(10_000);
    expect(bed.upstream.requests).toHaveLength(2);
    expect(forwarder.stats()).toMatchObject({ forwardedSpans: 0, retried: 0, queuedSpans: 0, dropped: { rejected: 4 } });
    await eventually(() => recorder.lines.some((line) => line.level === 'warn' && line.message.includes('rejected=')), 'a drop report');
    const reports = recorder.lines.filter((line) => line.message.includes('dropped'));
    expect(reports.map((line) => line.message).join('\n')).toMatch(/HTTP (500|400)/);
  });

  it('gives a batch up after retry.maxElapsed and counts it as retries_exhausted', async () => {
    bed.upstream.script = () => ({ status: 503 });
    const forwarder = forwarderFor({ retry: { initialBackoff: 10, maxBackoff: 40, maxElapsed: 300 } });
    forwarder.enqueue(makeSpans(5));
    await forwarder.forceFlush(10_000);
    expect(bed.upstream.requests.length).toBeGreaterThan(2);
    expect(forwarder.stats()).toMatchObject({ forwardedSpans: 0, queuedSpans: 0, dropped: { retries_exhausted: 5 } });
  });
});
