import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { forwardConfigFromEnv } from '../../../src/collector/forward/config-from-env.ts';
import { grpcAddressOf } from '../../../src/collector/forward/grpc-upstream.ts';
import { CaptureServer, eventually, makeSpans, spanIds, testConfig } from './capture-server.ts';
import { GrpcCaptureServer, type GrpcScript } from './grpc-capture-server.ts';

const forwarders: OtlpForwarder[] = [];
const servers: { down(): Promise<void> }[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((forwarder) => forwarder.shutdown(1000)));
  await Promise.all(servers.splice(0).map((server) => server.down()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function grpcUpstream(script?: GrpcScript): Promise<GrpcCaptureServer> {
  const server = await GrpcCaptureServer.start(script);
  servers.push(server);
  return server;
}

function forwarder(endpoint: string, overrides: Parameters<typeof testConfig>[1] = {}): OtlpForwarder {
  const started = new OtlpForwarder(testConfig(endpoint, { protocol: 'grpc', ...overrides }));
  forwarders.push(started);
  return started;
}

async function logRecords(): Promise<ReturnType<InMemoryLogRecordExporter['getFinishedLogRecords']>> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 });
  provider.getLogger('app').emit({ timestamp: 1_760_000_000_000, context, attributes: { 'event.name': 'gen_ai.choice' }, body: { message: { content: 'It is $249.' } } });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

describe('forwarding over OTLP/gRPC (protocol: grpc)', () => {
  it('delivers every span on TraceService/Export with the headers as metadata, gzip or not', async () => {
    for (const compression of ['none', 'gzip'] as const) {
      const upstream = await grpcUpstream();
      const sending = forwarder(upstream.endpoint, { compression, headers: { Authorization: 'Bearer t0ken', 'X-Tenant': 'clinic' } });
      const spans = makeSpans(20);
      expect(sending.enqueue(spans)).toBe(true);
      await sending.forceFlush(5_000);
      expect(upstream.spans.map((span) => span.spanId).sort()).toEqual(spanIds(spans).sort());
      expect(upstream.spans.find((span) => span.name === 'span-3')?.attributes['test.index']).toBe(3);
      expect(upstream.calls[0]!.metadata).toMatchObject({ authorization: 'Bearer t0ken', 'x-tenant': 'clinic' });
      expect(sending.stats()).toMatchObject({ forwardedSpans: 20, queuedSpans: 0 });
      expect(sending.stats().bytesSent).toBeGreaterThan(0);
    }
  });

  it('waits the RetryInfo delay on UNAVAILABLE and delivers once; INVALID_ARGUMENT and RESOURCE_EXHAUSTED without RetryInfo are not retried', async () => {
    const upstream = await grpcUpstream((call, index) => {
      const name = call.spans[0]?.name ?? '';
      if (name.startsWith('throttled') && index === 0) return { code: grpc.status.UNAVAILABLE, retryAfterSeconds: 1 };
      if (name.startsWith('bad')) return { code: grpc.status.INVALID_ARGUMENT, details: 'bad span' };
      if (name.startsWith('full')) return { code: grpc.status.RESOURCE_EXHAUSTED };
      return { code: grpc.status.OK };
    });
    const sending = forwarder(upstream.endpoint);
    const startedAt = Date.now();
    expect(sending.enqueue(makeSpans(3, 'throttled'))).toBe(true);
    await sending.forceFlush(5_000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(upstream.calls.map((call) => call.code)).toEqual([grpc.status.UNAVAILABLE, grpc.status.OK]);
    expect(sending.stats().retried).toBe(1);

    expect(sending.enqueue(makeSpans(2, 'bad'))).toBe(true);
    await sending.forceFlush(5_000);
    expect(sending.enqueue(makeSpans(4, 'full'))).toBe(true);
    await sending.forceFlush(5_000);
    expect(upstream.calls).toHaveLength(4);
    expect(sending.stats().dropped.rejected).toBe(6);
    expect(sending.stats().forwardedSpans).toBe(3);
  });

  it('keeps batches on disk while the gRPC upstream is down and sends them after a restart, a batch stored as OTLP/JSON re-encoded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tj-grpc-queue-'));
    dirs.push(dir);
    const persistPath = join(dir, 'forward-queue.db');
    // An earlier run forwarded OTLP/HTTP JSON to an upstream that was down: its batch stays on disk as JSON.
    const downHttp = await CaptureServer.start();
    await downHttp.down();
    const earlier = new OtlpForwarder(testConfig(downHttp.tracesUrl, { protocol: 'http/json', queue: { persistPath } }));
    const earlierSpans = makeSpans(5, 'earlier');
    expect(earlier.enqueue(earlierSpans)).toBe(true);
    await eventually(() => earlier.stats().retried >= 1, 'a failed attempt');
    await earlier.shutdown(200);

    const upstream = await grpcUpstream();
    const now = forwarder(upstream.endpoint, { queue: { persistPath } });
    expect(now.stats().queuedSpans).toBe(5);
    await now.forceFlush(5_000);
    expect(upstream.spans.map((span) => span.spanId).sort()).toEqual(spanIds(earlierSpans).sort());
    expect(now.stats().forwardedSpans).toBe(5);
  });

  it('relays logs requests on LogsService/Export: protobuf as is, gzip inflated, OTLP/JSON re-encoded; bad JSON is a 400 with the reason', async () => {
    const upstream = await grpcUpstream();
    const sending = forwarder(upstream.endpoint);
    const records = await logRecords();
    const protobuf = Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!);
    const json = Buffer.from(JsonLogsSerializer.serializeRequest(records)!);
    expect(await sending.forwardLogs(protobuf, 'application/x-protobuf')).toEqual({ status: 200 });
    expect(await sending.forwardLogs(gzipSync(protobuf), 'application/x-protobuf', 'gzip')).toEqual({ status: 200 });
    expect(await sending.forwardLogs(json, 'application/json')).toEqual({ status: 200 });
    expect(upstream.records).toHaveLength(3);
    for (const record of upstream.records) expect(record).toMatchObject({ traceId: '5b8efff798038103d269b633813fc60c', body: { message: { content: 'It is $249.' } } });
    const refused = await sending.forwardLogs(Buffer.from('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}'), 'application/json');
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('expected a hex id');
    expect(upstream.records).toHaveLength(3);
  });

  it('answers a logs relay refused by the upstream with the HTTP equivalent of its status', async () => {
    const upstream = await grpcUpstream(() => ({ code: grpc.status.UNAUTHENTICATED }));
    const sending = forwarder(upstream.endpoint);
    const protobuf = Buffer.from(ProtobufLogsSerializer.serializeRequest(await logRecords())!);
    expect((await sending.forwardLogs(protobuf, 'application/x-protobuf')).status).toBe(401);
  });
});

describe('forwarding config for gRPC', () => {
  it('takes OTEL_EXPORTER_OTLP_PROTOCOL=grpc, with the endpoint as the server address (no signal path)', () => {
    const config = forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4317' });
    expect(config).toMatchObject({ protocol: 'grpc', endpoint: 'http://tempo:4317/', logs: { endpoint: 'http://tempo:4317/' } });
    expect(forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, { endpoint: 'http://tempo:4317' }).endpoint).toBe('http://tempo:4317');
    expect(grpcAddressOf('http://tempo:4317/')).toBe('tempo:4317');
    expect(grpcAddressOf('https://otlp.example.com')).toBe('otlp.example.com:443');
    expect(grpcAddressOf('http://[::1]:4317')).toBe('[::1]:4317');
  });

  it('names the variable of a protocol it does not know', () => {
    expect(() => forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc/json', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4317' })).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL: expected "http/protobuf", "http/json" or "grpc", got "grpc/json"',
    );
  });
});
