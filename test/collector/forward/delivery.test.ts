import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { eventually, makeSpans, spanIds, testConfig, useForwarderTestbed } from './capture-server.ts';

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function metricValues(collected: ResourceMetrics, name: string): { value: number; attributes: Record<string, unknown> }[] {
  const metric = collected.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((point) => ({ value: point.value as number, attributes: point.attributes }));
}

const bed = useForwarderTestbed();

describe.each([
  { protocol: 'http/protobuf', compression: 'none', persist: false },
  { protocol: 'http/protobuf', compression: 'gzip', persist: false },
  { protocol: 'http/json', compression: 'none', persist: false },
  { protocol: 'http/json', compression: 'gzip', persist: false },
  { protocol: 'http/protobuf', compression: 'gzip', persist: true },
  { protocol: 'http/json', compression: 'none', persist: true },
] as const)('delivery over $protocol, compression $compression, persisted $persist', ({ protocol, compression, persist }) => {
  it('delivers every enqueued span exactly once, with the configured headers and encoding', async () => {
    const forwarder = new OtlpForwarder(
      testConfig(bed.upstream.tracesUrl, {
        protocol,
        compression,
        headers: { 'x-tenant': 'acme', authorization: 'Bearer t0k3n' },
        batch: { maxSpans: 8 },
        queue: persist ? { persistPath: join(bed.dir, 'queue.db') } : {},
      }),
    );
    bed.forwarders.push(forwarder);
    const spans = makeSpans(30);
    expect(forwarder.enqueue(spans.slice(0, 10))).toBe(true);
    expect(forwarder.enqueue(spans.slice(10, 25))).toBe(true);
    expect(forwarder.enqueue(spans.slice(25))).toBe(true);
    await forwarder.forceFlush(5000);

    expect(bed.upstream.spans.map((span) => span.spanId).sort()).toEqual(spanIds(spans).sort());
    const first = bed.upstream.spans.find((span) => span.name === 'span-7');
    expect(first?.attributes).toMatchObject({ 'test.index': 7, 'gen_ai.conversation.id': 'conv-1' });
    for (const request of bed.upstream.requests) {
      expect(request.path).toBe('/v1/traces');
      expect(request.headers['content-type']).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      expect(request.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
      expect(request.headers['x-tenant']).toBe('acme');
      expect(request.headers.authorization).toBe('Bearer t0k3n');
      expect(request.spans.length).toBeLessThanOrEqual(8);
      // In memory or read back from the queue file, a batch is POSTed as its encoded body.
      expect(request.headers['user-agent']).toBe('tracejudge-forwarder');
    }
    const stats = forwarder.stats();
    expect(stats.forwardedSpans).toBe(30);
    expect(stats.forwardedBatches).toBe(bed.upstream.requests.length);
    expect(stats.queuedSpans).toBe(0);
    expect(stats.queuedBytes).toBe(0);
    expect(stats.persistedBatches).toBe(0);
    expect(stats.retried).toBe(0);
    expect(Object.values(stats.dropped).every((count) => count === 0)).toBe(true);
    expect(stats.bytesSent).toBeGreaterThan(0);
  });
});

describe('batching', () => {
  it('coalesces single-span enqueues into batches of at most batch.maxSpans', async () => {
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { batch: { maxSpans: 10, maxDelay: 60_000 } }));
    bed.forwarders.push(forwarder);
    for (const span of makeSpans(25)) forwarder.enqueue([span]);
    // Two full batches leave at once; the partial third waits for its delay or a flush.
    await eventually(() => bed.upstream.spans.length === 20, 'two full batches');
    expect(bed.upstream.requests.map((request) => request.spans.length)).toEqual([10, 10]);
    await forwarder.forceFlush(5000);
    expect(bed.upstream.requests.map((request) => request.spans.length)).toEqual([10, 10, 5]);
  });

  it('sends a partial batch once batch.maxDelay has passed, without a flush', async () => {
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { batch: { maxSpans: 100, maxDelay: 20 } }));
    bed.forwarders.push(forwarder);
    forwarder.enqueue(makeSpans(3));
    await eventually(() => bed.upstream.spans.length === 3, 'the partial batch');
    expect(bed.upstream.requests).toHaveLength(1);
  });
});

describe('metrics', () => {
  it('records forwarded spans, drops by reason and the queue gauge on the tracejudge meter', async () => {
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { queue: { maxSpans: 10 } }), { meterProvider });
    bed.forwarders.push(forwarder);
    expect(forwarder.enqueue(makeSpans(6))).toBe(true);
    expect(forwarder.enqueue(makeSpans(6))).toBe(false); // over queue.maxSpans
    await forwarder.forceFlush(5000);

    const { resourceMetrics } = await reader.collect();
    expect(metricValues(resourceMetrics, 'tracejudge.forwarder.spans.forwarded')).toEqual([{ value: 6, attributes: {} }]);
    expect(metricValues(resourceMetrics, 'tracejudge.forwarder.spans.dropped')).toContainEqual({ value: 6, attributes: { 'error.type': 'queue_full' } });
    expect(metricValues(resourceMetrics, 'tracejudge.forwarder.queue.spans')).toEqual([{ value: 0, attributes: {} }]);
    expect(metricValues(resourceMetrics, 'tracejudge.forwarder.bytes.sent')[0].value).toBeGreaterThan(0);
    await meterProvider.shutdown();
  });
});
