import { describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { RetryQueue } from '../../../src/collector/forward/retry-queue.ts';
import { eventually, makeSpans, recordingLogger, spanIds, testConfig, useForwarderTestbed } from './capture-server.ts';

const bed = useForwarderTestbed({ shutdownMs: 500 });

describe('RetryQueue', () => {
  it('admits up to its span and byte bounds, refuses the newest beyond, and frees room on release', () => {
    const queue = new RetryQueue<string>({ maxSpans: 10, maxBytes: 1000 });
    expect(queue.admit(6, 100)).toBe(true);
    expect(queue.admit(5, 100)).toBe(false); // 11 spans
    expect(queue.admit(4, 950)).toBe(false); // 1050 bytes
    expect(queue.admit(4, 900)).toBe(true);
    expect([queue.heldSpans, queue.heldBytes]).toEqual([10, 1000]);
    queue.release(6, 100);
    expect(queue.admit(5, 50)).toBe(true);
  });

  it('hands batches out oldest first, across compactions', () => {
    const queue = new RetryQueue<number>({ maxSpans: 1e9, maxBytes: 1e9 });
    for (let i = 0; i < 3000; i++) queue.push({ spanCount: 1, bytes: 1, payload: i });
    const order: number[] = [];
    for (let batch = queue.shift(); batch; batch = queue.shift()) order.push(batch.payload);
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(queue.waiting).toBe(0);
  });

  it('holds spans read back from disk even past its bounds, so they are never refused', () => {
    const queue = new RetryQueue<string>({ maxSpans: 10, maxBytes: 1000 });
    queue.hold(50, 5000);
    expect(queue.heldSpans).toBe(50);
    expect(queue.admit(1, 1)).toBe(false);
  });
});

describe('queue bound', () => {
  it('refuses enqueues beyond queue.maxSpans while the upstream is down, counts and reports them once per interval', async () => {
    await bed.upstream.down();
    const recorder = recordingLogger();
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { queue: { maxSpans: 50 } }), {
      logger: recorder.logger,
      dropReportIntervalMs: 60_000,
    });
    bed.forwarders.push(forwarder);
    const accepted: string[] = [];
    const answers: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const spans = makeSpans(10, `call${i}`);
      const ok = forwarder.enqueue(spans);
      answers.push(ok);
      if (ok) accepted.push(...spanIds(spans));
    }
    expect(answers).toEqual([true, true, true, true, true, false, false, false, false, false]);
    expect(forwarder.stats()).toMatchObject({ queuedSpans: 50, dropped: { queue_full: 50 } });
    // The first refusal is told at once; the next four fall in the same interval and wait.
    const reports = recorder.lines.filter((line) => line.level === 'warn' && line.message.includes('dropped'));
    expect(reports).toHaveLength(1);
    expect(reports[0].message).toContain('queue_full=10');

    await bed.upstream.up();
    await forwarder.forceFlush(10_000);
    expect(bed.upstream.spans.map((span) => span.spanId).sort()).toEqual(accepted.sort());
    expect(forwarder.enqueue(makeSpans(10))).toBe(true); // room again
    await forwarder.shutdown(2000);
    const final = recorder.lines.filter((line) => line.level === 'warn' && line.message.includes('dropped'));
    expect(final).toHaveLength(2); // the rest, told at shutdown
    expect(final[1].message).toContain('queue_full=40');
  });

  it('bounds by approximate bytes as well', async () => {
    await bed.upstream.down();
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { queue: { maxSpans: 100_000, maxBytes: 4096 } }), {
      logger: recordingLogger().logger,
    });
    bed.forwarders.push(forwarder);
    let refused = 0;
    for (let i = 0; i < 200; i++) if (!forwarder.enqueue(makeSpans(1))) refused++;
    expect(refused).toBeGreaterThan(100);
    expect(forwarder.stats().queuedBytes).toBeLessThanOrEqual(4096);
    expect(forwarder.stats().dropped.queue_full).toBe(refused);
  });
});

describe('shutdown', () => {
  it('counts spans still in memory at the deadline as shutdown_deadline, and refuses enqueues after', async () => {
    await bed.upstream.down();
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { batch: { maxSpans: 4 } }), { logger: recordingLogger().logger });
    forwarder.enqueue(makeSpans(10));
    await eventually(() => forwarder.stats().retried >= 1, 'a failed attempt');
    await forwarder.shutdown(100);
    expect(forwarder.stats()).toMatchObject({ queuedSpans: 0, inFlight: 0, dropped: { shutdown_deadline: 10 } });
    expect(forwarder.enqueue(makeSpans(3))).toBe(false);
    expect(forwarder.stats().dropped.shutdown).toBe(3);
    expect(await forwarder.forwardLogs(Buffer.from('{}'), 'application/json')).toEqual({ status: 503 });
  });

  it('drains everything before the deadline when the upstream is up', async () => {
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { batch: { maxDelay: 60_000 } }));
    const spans = makeSpans(40);
    forwarder.enqueue(spans);
    await forwarder.shutdown(5000);
    expect(bed.upstream.spans).toHaveLength(40);
    expect(forwarder.stats()).toMatchObject({ forwardedSpans: 40, queuedSpans: 0, dropped: { shutdown_deadline: 0 } });
  });
});
