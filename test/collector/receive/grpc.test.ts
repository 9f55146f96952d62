import * as grpc from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as OtlpGrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { CollectorService } from '../../../src/collector/service.ts';
import type { ReceiverOptions } from '../../../src/collector/receive/receiver.ts';
import { ProtoTypes } from '../../../src/otlp/proto-schema.ts';
import { decodeLogsRequest } from '../../../src/otlp/index.ts';
import { recordSpans } from '../../otlp/sdk-spans.ts';
import { turnSpecs } from '../../cli/support/turns.ts';
import { CaptureServer, eventually, testConfig } from '../forward/capture-server.ts';
import { evaluationLabels, forwardedSpans } from './receiver-support.ts';
import type { ForwardConfigInput } from '../../../src/config/forward.ts';

let capture: CaptureServer | undefined;
let service: CollectorService | undefined;
afterEach(async () => {
  await service?.stop();
  await capture?.down();
  service = undefined;
  capture = undefined;
});

async function start(receiver: Partial<ReceiverOptions> = {}, forward: Partial<ForwardConfigInput> = {}): Promise<{ grpcUrl: string; forwarder: OtlpForwarder }> {
  capture = await CaptureServer.start();
  const config = testConfig(capture.tracesUrl, forward);
  const forwarder = new OtlpForwarder(config, { flushTimeoutMs: 2000, shutdownTimeoutMs: 2000 });
  service = new CollectorService({
    forwarder,
    receiver: { host: '127.0.0.1', port: 0, ...receiver },
    grpc: { host: '127.0.0.1', port: 0 },
    forwarderMaxQueuedSpans: config.queue.maxSpans,
    forwarderMaxQueuedBytes: config.queue.maxBytes,
  });
  await service.start();
  return { grpcUrl: `http://127.0.0.1:${service.grpcPort}`, forwarder };
}

function exportSpans(exporter: OtlpGrpcTraceExporter, spans: Parameters<OtlpGrpcTraceExporter['export']>[0]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** A raw unary call with bytes in and out: what a broken or hostile client can send. */
function rawCall(url: string, path: string, body: Buffer, metadata = new grpc.Metadata()): Promise<{ code: number; details: string; metadata?: grpc.Metadata; response?: Buffer }> {
  const client = new grpc.Client(url.replace('http://', ''), grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (value: Buffer) => value, (value: Buffer) => value, body, metadata, (error, response) => {
      client.close();
      if (error) resolve({ code: error.code, details: error.details, metadata: error.metadata });
      else resolve({ code: grpc.status.OK, details: '', ...(response && { response }) });
    });
  });
}

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

describe('OTLP/gRPC receiver', () => {
  it('takes the official gRPC trace exporter (gzip): every span evaluated and forwarded with its events', async () => {
    const { grpcUrl } = await start();
    const exporter = new OtlpGrpcTraceExporter({ url: grpcUrl, compression: 'gzip' as never });
    const spans = await recordSpans(turnSpecs({ conversationId: 'grpc-1', toolResult: { room: 'suite', price: '$249.00' }, reply: 'The suite is $199.00 per night.', at: 1_750_000_000 }));
    const result = await exportSpans(exporter, spans);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    await eventually(() => forwardedSpans(capture!).length === spans.length, 'the spans forwarded');
    const chat = forwardedSpans(capture!).find((span) => span.name.startsWith('chat'))!;
    expect(evaluationLabels(chat)).toEqual({ 'commitment.price': 'fail' });
    expect(service!.stats().grpc).toMatchObject({ spansAccepted: spans.length, calls: { 'TraceService/Export OK': 1 } });
  });

  it('takes the official gRPC logs exporter: records decoded and relayed to the upstream logs endpoint', async () => {
    const { grpcUrl } = await start();
    const exporter = new OtlpGrpcLogExporter({ url: grpcUrl });
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000 })] });
    provider.getLogger('agent').emit({ eventName: 'gen_ai.user.message', body: { content: 'How much is the suite?' }, attributes: { 'gen_ai.system': 'openai' } });
    await provider.forceFlush();
    await provider.shutdown();
    await eventually(() => capture!.requests.some((request) => request.path.endsWith('/v1/logs')), 'the logs relayed');
    const relayed = capture!.requests.find((request) => request.path.endsWith('/v1/logs'))!;
    expect(relayed.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeLogsRequest(relayed.raw, 'protobuf').records).toHaveLength(1);
    expect(service!.stats().grpc).toMatchObject({ logRecordsAccepted: 1, calls: { 'LogsService/Export OK': 1 } });
  });

  it('bad input: garbage is INVALID_ARGUMENT, a wrong method UNIMPLEMENTED, an oversized message RESOURCE_EXHAUSTED; it stays up', async () => {
    const { grpcUrl } = await start({ maxBodyBytes: 64 * 1024 });
    const garbage = await rawCall(grpcUrl, TRACE_EXPORT, Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(garbage.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(garbage.details).toMatch(/^invalid OTLP protobuf ExportTraceServiceRequest: /);
    expect((await rawCall(grpcUrl, '/opentelemetry.proto.collector.trace.v1.TraceService/Nope', Buffer.alloc(0))).code).toBe(grpc.status.UNIMPLEMENTED);
    expect((await rawCall(grpcUrl, TRACE_EXPORT, Buffer.alloc(200 * 1024, 1))).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // Still serving: an empty request is a valid, empty export.
    expect((await rawCall(grpcUrl, TRACE_EXPORT, Buffer.alloc(0))).code).toBe(grpc.status.OK);
    expect(service!.stats().grpc?.calls).toMatchObject({ 'TraceService/Export INVALID_ARGUMENT': 1, 'TraceService/Export OK': 1 });
  });

  it('auth: the authorization metadata as the HTTP header (UNAUTHENTICATED without it)', async () => {
    const { grpcUrl } = await start({ auth: { bearerToken: 's3cret' } });
    const spans = await recordSpans(turnSpecs({ conversationId: 'grpc-auth', reply: 'Hello.', at: 1_750_000_000 }));
    const request = Buffer.from(ProtoTypes.ExportTraceServiceRequest.encode(ProtoTypes.ExportTraceServiceRequest.create({})).finish());
    const denied = await rawCall(grpcUrl, TRACE_EXPORT, request);
    expect(denied.code).toBe(grpc.status.UNAUTHENTICATED);
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer s3cret');
    const exporter = new OtlpGrpcTraceExporter({ url: grpcUrl, metadata });
    expect((await exportSpans(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
  });

  it('backpressure: a full forward queue answers UNAVAILABLE with a RetryInfo (the client waits, then retries)', async () => {
    const { grpcUrl } = await start({}, { queue: { maxSpans: 1 } });
    const spans = await recordSpans(turnSpecs({ conversationId: 'grpc-full', reply: 'Hello.', at: 1_750_000_000 }));
    const exporter = new OtlpGrpcTraceExporter({ url: grpcUrl, timeoutMillis: 1500 });
    const result = await exportSpans(exporter, spans);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.FAILED);
    const calls = service!.stats().grpc!.calls;
    expect(calls['TraceService/Export UNAVAILABLE']).toBeGreaterThanOrEqual(1);
    const raw = await rawCall(grpcUrl, TRACE_EXPORT, Buffer.from(ProtoTypes.ExportTraceServiceRequest.encode(ProtoTypes.ExportTraceServiceRequest.fromObject(await requestOf(spans))).finish()));
    expect(raw.code).toBe(grpc.status.UNAVAILABLE);
    const details = raw.metadata?.get('grpc-status-details-bin')[0] as Buffer;
    expect(details.toString('latin1')).toContain('type.googleapis.com/google.rpc.RetryInfo');
  });
});

async function requestOf(spans: Awaited<ReturnType<typeof recordSpans>>): Promise<Record<string, unknown>> {
  const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
  return ProtoTypes.ExportTraceServiceRequest.toObject(ProtoTypes.ExportTraceServiceRequest.decode(ProtobufTraceSerializer.serializeRequest(spans)!)) as Record<string, unknown>;
}
