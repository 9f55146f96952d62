import { connect } from 'node:net';
import { request } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeExportTraceResponseProtobuf, decodeRpcStatusProtobuf } from '../../../src/otlp/index.ts';
import { ProtoTypes } from '../../../src/otlp/proto-schema.ts';
import { recordSpans } from '../../otlp/sdk-spans.ts';
import { turnSpecs } from '../../cli/support/turns.ts';
import { CaptureServer, eventually } from '../forward/capture-server.ts';
import type { RunningService } from './receiver-support.ts';
import { evaluationLabels, exportWith, forwardedSpans, post, startService } from './receiver-support.ts';

const PRICE = 'commitment.price';
const JSON_TYPE = { 'content-type': 'application/json' };
const PROTO_TYPE = { 'content-type': 'application/x-protobuf' };

let capture: CaptureServer | undefined;
let running: RunningService | undefined;

afterEach(async () => {
  await running?.service.stop();
  await capture?.down();
  running = undefined;
  capture = undefined;
});

async function setUp(...args: Parameters<typeof startService> extends [unknown, ...infer Rest] ? Rest : never) {
  capture = await CaptureServer.start();
  running = await startService(capture, ...args);
  return { capture, running, url: running.url };
}

const turn = (conversationId: string, reply: string, at = 1_750_000_000) =>
  recordSpans(turnSpecs({ conversationId, toolResult: { room: 'suite', price: '$249.00' }, reply, at }));

function jsonBody(spans: unknown): string {
  return JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 't' }, spans }] }] });
}

function jsonSpan(spanId: string, fields: Record<string, unknown> = {}) {
  return { traceId: '5b8efff798038103d269b633813fc60c', spanId, name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2', ...fields };
}

describe('the collector receiver with the official OTLP exporters', () => {
  it('evaluates protobuf from exporter-trace-otlp-proto and forwards the spans with their events', async () => {
    const { capture, url } = await setUp();
    const spans = await turn('conv-proto', 'The suite is $199.00 per night.');
    expect((await exportWith('proto', url, spans)).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 3, 'three spans forwarded');
    const chat = forwardedSpans(capture).find((s) => s.name.startsWith('chat'))!;
    expect(evaluationLabels(chat)).toEqual({ [PRICE]: 'fail' });
    expect(chat.spanId).toBe(spans.find((s) => s.name.startsWith('chat'))!.spanContext().spanId);
  });

  it('evaluates JSON from exporter-trace-otlp-http, gzip-compressed, and forwards it', async () => {
    const { capture, url } = await setUp();
    const spans = await turn('conv-json', 'The suite is $249.00 per night.');
    const result = await exportWith('json', url, spans, { compression: 'gzip' as never });
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 3, 'three spans forwarded');
    expect(evaluationLabels(forwardedSpans(capture).find((s) => s.name.startsWith('chat'))!)).toEqual({ [PRICE]: 'pass' });
  });

  it('replaces deterministic results an SDK processor already wrote, keeps judge results', async () => {
    const { capture, url } = await setUp();
    const specs = turnSpecs({ conversationId: 'pre', toolResult: { price: '$249.00' }, reply: 'It is $249.00.', at: 1_750_000_000 });
    const earlier = (source: string, label: string) => ({
      name: 'gen_ai.evaluation.result',
      attributes: { 'gen_ai.evaluation.name': source === 'judge' ? 'faithfulness' : PRICE, 'gen_ai.evaluation.score.label': label, 'tracejudge.evaluation.source': source },
    });
    const children = specs[0].children!.map((child) =>
      child.name.startsWith('chat') ? { ...child, events: [earlier('deterministic', 'stale'), earlier('judge', 'pass')] } : child,
    );
    const withEvents = [{ ...specs[0], children }];
    expect((await exportWith('proto', url, await recordSpans(withEvents))).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 3, 'spans forwarded');
    const chat = forwardedSpans(capture).find((span) => span.name.startsWith('chat'))!;
    expect(chat.events.map((event) => [event.attributes['gen_ai.evaluation.name'], event.attributes['gen_ai.evaluation.score.label']])).toEqual([
      ['faithfulness', 'pass'],
      [PRICE, 'pass'],
    ]);
  });

  it('answers in the request encoding: empty ExportTraceServiceResponse for protobuf, {} for JSON', async () => {
    const { url } = await setUp();
    const spans = await turn('conv-enc', 'Noted.');
    const proto = await post(`${url}/v1/traces`, ProtobufTraceSerializer.serializeRequest(spans)!, PROTO_TYPE);
    expect([proto.status, proto.headers['content-type'], proto.body.length]).toEqual([200, 'application/x-protobuf', 0]);
    const json = await post(`${url}/v1/traces`, JsonTraceSerializer.serializeRequest(spans)!, { 'content-type': 'application/json; charset=utf-8' });
    expect([json.status, json.headers['content-type'], JSON.parse(json.body.toString())]).toEqual([200, 'application/json', {}]);
  });
});

describe('bad input gets the right status and message, and the service keeps serving', () => {
  it('random bytes and truncated protobuf: 400 with a google.rpc.Status', async () => {
    const { url } = await setUp();
    const random = await post(`${url}/v1/traces`, new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0x13, 0x37]), PROTO_TYPE);
    expect(random.status).toBe(400);
    expect(decodeRpcStatusProtobuf(random.body)).toEqual({
      code: 3,
      message: expect.stringMatching(/^invalid OTLP protobuf ExportTraceServiceRequest: not a valid OTLP protobuf ExportTraceServiceRequest: invalid wire type 7/),
    });
    const full = ProtobufTraceSerializer.serializeRequest(await turn('c', 'Noted.'))!;
    const truncated = await post(`${url}/v1/traces`, full.subarray(0, full.length - 10), PROTO_TYPE);
    expect(truncated.status).toBe(400);
    expect(decodeRpcStatusProtobuf(truncated.body).message).toMatch(/index out of range/);
  });

  it('wrong JSON types: 400 naming the field for structure, partial success naming the span for values', async () => {
    const { capture, url } = await setUp();
    const structure = await post(`${url}/v1/traces`, jsonBody({}), JSON_TYPE);
    expect(structure.status).toBe(400);
    expect(JSON.parse(structure.body.toString())).toEqual({
      code: 3,
      message: 'invalid OTLP json ExportTraceServiceRequest: resourceSpans[0].scopeSpans[0].spans: expected an array, got object',
    });

    const values = await post(
      `${url}/v1/traces`,
      jsonBody([
        jsonSpan('aaaaaaaaaaaaaaa1', { kind: 'x' }),
        jsonSpan('aaaaaaaaaaaaaaa2', { attributes: [{ key: 'n', value: { intValue: '12a' } }] }),
        jsonSpan('aaaaaaaaaaaaaaa3', { traceId: 'xyz' }),
        jsonSpan('aaaaaaaaaaaaaaa4'),
      ]),
      JSON_TYPE,
    );
    expect(values.status).toBe(200);
    const { partialSuccess } = JSON.parse(values.body.toString());
    expect(partialSuccess.rejectedSpans).toBe('3');
    expect(partialSuccess.errorMessage).toContain('spans[0].kind: expected an integer 0..5');
    expect(partialSuccess.errorMessage).toContain('spans[1].attributes["n"].intValue: expected a 64-bit integer');
    expect(partialSuccess.errorMessage).toContain('spans[2].traceId: expected 32 hex characters, got "xyz"');
    await eventually(() => forwardedSpans(capture).length === 1, 'the one good span forwarded');
    expect(forwardedSpans(capture)[0].spanId).toBe('aaaaaaaaaaaaaaa4');
  });

  it('invalid ids in protobuf: partial success the official exporter reads', async () => {
    const { url } = await setUp();
    const spans = await turn('c', 'Noted.');
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    // Zero the first span's trace id in place: field 1, length 16, right after the span's tag and length.
    const traceIdAt = body.indexOf(Buffer.from(spans[0].spanContext().traceId, 'hex'));
    body.fill(0, traceIdAt, traceIdAt + 16);
    const response = await post(`${url}/v1/traces`, body, PROTO_TYPE);
    expect(response.status).toBe(200);
    expect(ProtobufTraceSerializer.deserializeResponse(response.body)).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('traceId: must not be all zeros') },
    });
    expect(decodeExportTraceResponseProtobuf(response.body).partialSuccess?.rejectedSpans).toBe(1);
  });

  it('a 1 MiB attribute is accepted and forwarded whole', async () => {
    const { capture, url } = await setUp();
    const huge = 'x'.repeat(1024 * 1024);
    const spans = await recordSpans([{ name: 'chat big', attributes: { 'gen_ai.output.messages': huge } }]);
    expect((await exportWith('proto', url, spans)).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 1, 'the span forwarded');
    expect(forwardedSpans(capture)[0].attributes['gen_ai.output.messages']).toBe(huge);
  });

  it('a gzip bomb is refused with 413 at the limit, without inflating it whole', async () => {
    const { running, url } = await setUp({ maxBodyBytes: 1024 * 1024 });
    // 256 MiB of zeros, about 256 KiB on the wire.
    const bomb = await new Promise<Buffer>((resolve) => {
      const gzip = createGzip();
      const parts: Buffer[] = [];
      gzip.on('data', (part: Buffer) => parts.push(part));
      gzip.on('end', () => resolve(Buffer.concat(parts)));
      const zeros = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 256; i++) gzip.write(zeros);
      gzip.end();
    });
    const response = await post(`${url}/v1/traces`, bomb, { ...PROTO_TYPE, 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(decodeRpcStatusProtobuf(response.body).message).toBe('request body exceeds the 1048576-byte limit after gzip decompression');
    expect(running.service.stats().receiver.inFlightBytes).toBe(0);
    const corrupt = await post(`${url}/v1/traces`, Buffer.from('not gzip at all'), { ...PROTO_TYPE, 'content-encoding': 'gzip' });
    expect([corrupt.status, decodeRpcStatusProtobuf(corrupt.body).message]).toEqual([400, expect.stringMatching(/^invalid gzip body: /)]);
    const plainTooBig = await post(`${url}/v1/traces`, Buffer.alloc(2 * 1024 * 1024), PROTO_TYPE);
    expect(plainTooBig.status).toBe(413);
  });

  it('logs: a gzip bomb is refused with 413 at the limit, corrupt gzip with 400; a bad record is a partial success', async () => {
    const { capture, running, url } = await setUp({ maxBodyBytes: 1024 * 1024 });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const refused = await post(`${url}/v1/logs`, bomb, { ...PROTO_TYPE, 'content-encoding': 'gzip' });
    expect([refused.status, decodeRpcStatusProtobuf(refused.body).message]).toEqual([413, 'request body exceeds the 1048576-byte limit after gzip decompression']);
    const corrupt = await post(`${url}/v1/logs`, Buffer.from('not gzip at all'), { ...PROTO_TYPE, 'content-encoding': 'gzip' });
    expect([corrupt.status, decodeRpcStatusProtobuf(corrupt.body).message]).toEqual([400, expect.stringMatching(/^invalid gzip body: /)]);
    expect(running.service.stats().receiver.inFlightBytes).toBe(0);
    const partly = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: 'not-hex', body: { stringValue: 'a' } }, { body: { stringValue: 'b' } }] }] }],
    });
    const answer = await post(`${url}/v1/logs`, partly, JSON_TYPE);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({
      partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringMatching(/^1 log records could not be read \(forwarded as received, not evaluated\): .*traceId/) },
    });
    // Relayed as received, both records (the upstream decides on the one we could not read).
    expect(capture.requests.filter((r) => r.path === '/v1/logs').map((r) => r.raw.toString())).toEqual([partly]);
    expect(running.service.stats().receiver).toMatchObject({ logRecordsAccepted: 1, logRecordsRejected: 1 });
  });

  it('wrong content type or encoding: 415; wrong method 405; unknown path 404', async () => {
    const { url } = await setUp();
    const text = await post(`${url}/v1/traces`, 'hello', { 'content-type': 'text/plain' });
    expect([text.status, JSON.parse(text.body.toString()).message]).toEqual([
      415,
      'unsupported Content-Type text/plain; use application/x-protobuf or application/json',
    ]);
    const brotli = await post(`${url}/v1/traces`, 'x', { ...JSON_TYPE, 'content-encoding': 'br' });
    expect([brotli.status, JSON.parse(brotli.body.toString()).message]).toEqual([415, 'unsupported Content-Encoding br; use gzip or none']);
    const get = await post(`${url}/v1/traces`, '', JSON_TYPE, 'GET');
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    expect((await post(`${url}/v1/metrics`, '{}', JSON_TYPE)).status).toBe(404);
  });

  it('missing or wrong auth: 401; the right bearer token passes', async () => {
    const { capture, url } = await setUp({ auth: { bearerToken: 's3cret' } });
    const body = JsonTraceSerializer.serializeRequest(await turn('auth', 'Noted.'))!;
    const missing = await post(`${url}/v1/traces`, body, JSON_TYPE);
    expect([missing.status, JSON.parse(missing.body.toString())]).toEqual([
      401,
      { code: 16, message: 'unauthenticated: missing Authorization: Bearer <token>' },
    ]);
    const wrong = await post(`${url}/v1/traces`, body, { ...JSON_TYPE, authorization: 'Bearer guess' });
    expect(JSON.parse(wrong.body.toString()).message).toBe('unauthenticated: invalid Authorization: Bearer <token>');
    expect((await exportWith('json', url, await turn('auth', 'Noted.'), { headers: { Authorization: 'Bearer s3cret' } })).code).toBe(
      ExportResultCode.SUCCESS,
    );
    await eventually(() => forwardedSpans(capture).length === 3, 'the authenticated spans forwarded');
  });

  it('keeps serving after bad input, and what it accepted before is forwarded', async () => {
    const { capture, url } = await setUp();
    expect((await exportWith('proto', url, await turn('before', 'Noted.'))).code).toBe(ExportResultCode.SUCCESS);
    await post(`${url}/v1/traces`, new Uint8Array([0xff, 0x01]), PROTO_TYPE);
    await post(`${url}/v1/traces`, 'hello', { 'content-type': 'text/plain' });
    await post(`${url}/v1/traces`, gzipSync(Buffer.alloc(100 * 1024 * 1024)), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect((await exportWith('json', url, await turn('after', 'Noted.'))).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 6, 'spans from before and after forwarded');
    expect((await post(`${url}/healthz`, '', {}, 'GET')).status).toBe(200);
  });
});

describe('backpressure, logs, health and shutdown', () => {
  it('answers 429 with Retry-After when the forwarding queue is full, before evaluating', async () => {
    const { capture, running, url } = await setUp({ retryAfterSeconds: 7 }, { queue: { maxSpans: 3 } });
    await capture.down(); // the upstream is gone: the queue fills
    const first = await post(`${url}/v1/traces`, JsonTraceSerializer.serializeRequest(await turn('q1', 'Noted.'))!, JSON_TYPE);
    expect(first.status).toBe(200);
    const second = await post(`${url}/v1/traces`, JsonTraceSerializer.serializeRequest(await turn('q2', 'It is $1.00.'))!, JSON_TYPE);
    expect([second.status, second.headers['retry-after']]).toEqual([429, '7']);
    expect(JSON.parse(second.body.toString()).message).toMatch(/forwarding queue full/);
    expect(running.service.stats().pipeline.spansSeen).toBe(3);
    expect((await post(`${url}/readyz`, '', {}, 'GET')).status).toBe(503);
  });

  it('answers 503 with Retry-After when request bytes in flight pass the bound', async () => {
    const { url, running } = await setUp({ maxBodyBytes: 1000, maxInFlightBytes: 1500 });
    // A slow sender holds 900 bytes of a 1000-byte body…
    const slow = request(`${url}/v1/traces`, { method: 'POST', headers: { ...JSON_TYPE, 'content-length': '1000' } });
    slow.on('error', () => {});
    const slowResponse = new Promise<number>((resolve) => slow.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))));
    slow.write(' '.repeat(900));
    // Wait until the receiver holds them (a fixed sleep can be too short on a loaded machine).
    await vi.waitFor(() => expect(running.service.stats().receiver.inFlightBytes).toBeGreaterThanOrEqual(900), { timeout: 10_000, interval: 10 });
    // …so another 700 bytes do not fit.
    const busy = await post(`${url}/v1/traces`, ' '.repeat(700), JSON_TYPE);
    expect([busy.status, busy.headers['retry-after'], JSON.parse(busy.body.toString()).message]).toEqual([
      503,
      '5',
      'receiver busy: too many request bytes in flight; retry later',
    ]);
    slow.end(`${' '.repeat(98)}{}`);
    expect(await slowResponse).toBe(200);
    expect((await post(`${url}/v1/traces`, ' '.repeat(700), JSON_TYPE)).status).toBe(200);
  });

  it('relays /v1/logs unchanged (gzip as sent) to the upstream logs endpoint', async () => {
    const { capture, url } = await setUp();
    const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'app log line' }, severityNumber: 9 }] }] }] };
    const logs = gzipSync(ProtoTypes.ExportLogsServiceRequest.encode(ProtoTypes.ExportLogsServiceRequest.fromObject(request)).finish());
    const response = await post(`${url}/v1/logs`, logs, { ...PROTO_TYPE, 'content-encoding': 'gzip' });
    expect([response.status, response.body.length]).toEqual([200, 0]);
    const relayed = capture.requests.find((r) => r.path === '/v1/logs')!;
    expect(relayed.raw.equals(logs)).toBe(true);
    expect([relayed.headers['content-type'], relayed.headers['content-encoding']]).toEqual(['application/x-protobuf', 'gzip']);
  });

  it('answers 400 to a logs body that is not an ExportLogsServiceRequest, and relays nothing', async () => {
    const { capture, url } = await setUp();
    const response = await post(`${url}/v1/logs`, gzipSync(Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x00, 0xde, 0xad])), { ...PROTO_TYPE, 'content-encoding': 'gzip' });
    expect(response.status).toBe(400);
    expect(decodeRpcStatusProtobuf(response.body).message).toMatch(/invalid OTLP protobuf ExportLogsServiceRequest/);
    expect(capture.requests.filter((r) => r.path === '/v1/logs')).toHaveLength(0);
  });

  it('a body that never finishes is answered 408 at the body timeout, its connection closed and counted; the receiver goes on', async () => {
    const { url, running } = await setUp({ bodyTimeoutMs: 300 });
    const { port } = new URL(url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        // Promises 1,000 bytes, sends 10, then stalls.
        socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"resource');
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('request body not received within 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(running.service.stats().receiver.requests['/v1/traces 408']).toBe(1);
    expect((await post(`${url}/healthz`, '', {}, 'GET')).status).toBe(200);
  });

  it('serves /healthz and /readyz; on stop it finishes, flushes and refuses new connections', async () => {
    const { capture, running, url } = await setUp();
    expect((await post(`${url}/healthz`, '', {}, 'GET')).body.toString()).toBe('ok\n');
    expect((await post(`${url}/readyz`, '', {}, 'GET')).body.toString()).toBe('ready\n');
    expect((await exportWith('proto', url, await turn('stop', 'Noted.'))).code).toBe(ExportResultCode.SUCCESS);
    await running.service.stop();
    // Flushed on stop: nothing waits for the batch delay.
    expect(forwardedSpans(capture)).toHaveLength(3);
    await expect(post(`${url}/healthz`, '', {}, 'GET')).rejects.toThrow(/ECONNREFUSED/);
  });
});
