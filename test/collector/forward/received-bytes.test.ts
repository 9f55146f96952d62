import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { CollectorService } from '../../../src/collector/service.ts';
import { turnSpecs } from '../../cli/support/turns.ts';
import { recordSpans } from '../../otlp/sdk-spans.ts';
import { fieldNumbers, type Plain, spanBytes, spansById } from '../../otlp/wire/full-trace-proto.ts';
import { CaptureServer, eventually, testConfig } from './capture-server.ts';

/**
 * Protobuf in, protobuf out: what the official exporters send reaches the upstream as it was
 * sent, span by span, with only the evaluation's events and attributes appended. The upstream is a
 * capture server; its requests are read with the full trace.proto definitions
 * (test/otlp/wire/full-trace-proto.ts), never with the collector's own decoder.
 */

let service: CollectorService | undefined;
let capture: CaptureServer | undefined;
let tap: Server | undefined;
afterEach(async () => {
  await service?.stop();
  await capture?.down();
  await new Promise((resolve) => (tap ? tap.close(resolve) : resolve(undefined)));
  service = capture = tap = undefined;
});

let stateDir: string | undefined;
afterEach(() => {
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  stateDir = undefined;
});

/** `persist`: batches go through the queue file (collect's default) before they are sent. */
async function startCollector(persist = false) {
  capture = await CaptureServer.start();
  stateDir = persist ? mkdtempSync(join(tmpdir(), 'tracejudge-received-')) : undefined;
  const config = testConfig(capture.tracesUrl, { protocol: 'http/protobuf', batch: { maxDelay: 20 }, ...(stateDir && { queue: { persistPath: join(stateDir, 'queue.db') } }) });
  service = new CollectorService({
    forwarder: new OtlpForwarder(config),
    receiver: { host: '127.0.0.1', port: 0 },
    grpc: { host: '127.0.0.1', port: 0 },
  });
  const { port } = await service.start();
  return { capture, service, tracesUrl: `http://127.0.0.1:${port}/v1/traces`, grpcUrl: `http://127.0.0.1:${service.grpcPort}` };
}

/** An HTTP hop in front of the collector that keeps each body the exporter sent. */
async function tapInFront(target: string, bodies: Buffer[]): Promise<string> {
  tap = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    bodies.push(body);
    const answer = await fetch(target, { method: 'POST', body, headers: { 'content-type': request.headers['content-type'] ?? '' } });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => tap!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(tap.address() as AddressInfo).port}/v1/traces`;
}

const exportWith = (exporter: SpanExporter, spans: ReadableSpan[]) =>
  new Promise<void>((resolve, reject) =>
    exporter.export(spans, (result) => (result.code === ExportResultCode.SUCCESS ? resolve() : reject(result.error ?? new Error('export failed')))),
  );

/** Two turns of one conversation: turn 2's reply names a price no tool returned. */
async function conversation(): Promise<ReadableSpan[]> {
  return recordSpans([
    ...turnSpecs({ conversationId: 'conv-bytes', toolResult: { price: '$249.00' }, reply: 'The suite is $249.00 a night.', at: 1_750_000_000 }),
    ...turnSpecs({ conversationId: 'conv-bytes', reply: 'With breakfast it comes to $279.00.', at: 1_750_000_010 }),
  ]);
}

function expectSentAsReceived(sentBodies: readonly Uint8Array[], forwardedBodies: readonly Uint8Array[]): void {
  const received = new Map(sentBodies.flatMap((body) => [...spanBytes(body)]));
  const forwarded = new Map(forwardedBodies.flatMap((body) => [...spanBytes(body)]));
  const receivedPlain = new Map(sentBodies.flatMap((body) => [...spansById(body)]));
  const forwardedPlain = new Map(forwardedBodies.flatMap((body) => [...spansById(body)]));
  expect([...forwarded.keys()].sort()).toEqual([...received.keys()].sort());
  let appendedTo = 0;
  for (const [id, original] of received) {
    const out = forwarded.get(id)!;
    // Byte for byte what was sent, then only repeated `attributes` (9) / `events` (11) entries.
    expect(Buffer.from(out.subarray(0, original.byteLength)).equals(Buffer.from(original))).toBe(true);
    const appended = fieldNumbers(out.subarray(original.byteLength));
    expect(appended.every((field) => field === 9 || field === 11)).toBe(true);
    if (appended.length > 0) appendedTo++;
    const before = receivedPlain.get(id)!;
    const after = forwardedPlain.get(id)!;
    expect(after.resource).toEqual(before.resource);
    expect(after.scope).toEqual(before.scope);
    const added = after.span.events?.slice(before.span.events?.length ?? 0) ?? [];
    expect(added.every((event: Plain) => event.name === 'gen_ai.evaluation.result')).toBe(true);
  }
  // The two chat spans carry their checks' results.
  expect(appendedTo).toBeGreaterThanOrEqual(2);
  const verdicts = [...forwardedPlain.values()].flatMap(({ span }) =>
    (span.events ?? []).filter((event: Plain) => event.name === 'gen_ai.evaluation.result').map((event: Plain) => event.attributes.find((kv: Plain) => kv.key === 'gen_ai.evaluation.score.label')?.value.stringValue),
  );
  expect(verdicts.sort()).toEqual(['fail', 'pass']);
}

describe('protobuf in, protobuf out: spans forwarded as the official exporters sent them', () => {
  it.each([{ queue: 'memory', persist: false }, { queue: 'the queue file', persist: true }])('OTLP/HTTP protobuf exporter → collect (through $queue) → upstream', async ({ persist }) => {
    const { capture, tracesUrl } = await startCollector(persist);
    const sent: Buffer[] = [];
    const exporter = new ProtobufTraceExporter({ url: await tapInFront(tracesUrl, sent) });
    await exportWith(exporter, await conversation());
    await exporter.shutdown();
    await eventually(() => capture.spans.length === 5, 'all five spans forwarded');
    expectSentAsReceived(sent, capture.requests.map((request) => request.raw));
  });

  it('OTLP/gRPC exporter → collect → upstream', async () => {
    const { capture, grpcUrl } = await startCollector();
    const spans = await conversation();
    const exporter = new GrpcTraceExporter({ url: grpcUrl });
    await exportWith(exporter, spans);
    await exporter.shutdown();
    await eventually(() => capture.spans.length === 5, 'all five spans forwarded');
    // The gRPC exporter's message is the official protobuf serializer's request for the same spans.
    expectSentAsReceived([ProtobufTraceSerializer.serializeRequest(spans)!], capture.requests.map((request) => request.raw));
  });
});
