import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'protobufjs';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach } from 'vitest';
import type { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { ForwardConfigSchema, type ForwardConfig, type ForwardConfigInput } from '../../../src/config/forward.ts';

/**
 * A capture upstream for forwarder tests: an OTLP/HTTP server on 127.0.0.1 that decodes what
 * arrives (JSON or protobuf, gzip or not) and answers as each test scripts it: 200, 503 with
 * Retry-After, 429, 500, a dropped connection, or nothing at all while it is down.
 */

// Only the fields the tests read, from the opentelemetry-proto field numbers (REFERENCE.md).
const root = parse(`
syntax = "proto3";
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
message KeyValue { string key = 1; AnyValue value = 2; }
message Span { bytes trace_id = 1; bytes span_id = 2; string name = 5; repeated KeyValue attributes = 9; }
message ScopeSpans { repeated Span spans = 2; }
message ResourceSpans { repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`).root;
const ExportTraceServiceRequest = root.lookupType('ExportTraceServiceRequest');

export interface CapturedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface CapturedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** The body as received (still compressed if it was). */
  readonly raw: Buffer;
  /** Decoded trace spans (empty for non-trace paths). */
  readonly spans: readonly CapturedSpan[];
  readonly at: number;
  /** What it was answered; undefined for a dropped connection. */
  status?: number;
}

export type Reply = { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string } | { readonly destroy: true };
export type ReplyScript = (request: CapturedRequest, index: number) => Reply;

export const OK: ReplyScript = () => ({ status: 200, body: '{}', headers: { 'content-type': 'application/json' } });

export class CaptureServer {
  readonly requests: CapturedRequest[] = [];
  script: ReplyScript = OK;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  static async start(script: ReplyScript = OK): Promise<CaptureServer> {
    const capture = new CaptureServer();
    capture.script = script;
    await capture.up();
    return capture;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tracesUrl(): string {
    return `${this.origin}/v1/traces`;
  }

  /** Every span accepted (answered 2xx), in arrival order: what the upstream now holds. */
  get spans(): CapturedSpan[] {
    return this.requests.filter((request) => request.status !== undefined && request.status < 300).flatMap((request) => request.spans);
  }

  /** Listens (again, on the same port after `down`). */
  async up(): Promise<void> {
    const server = createServer((req, res) => void this.serve(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts open connections: the upstream is down. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = req.url ?? '';
    const captured: CapturedRequest = {
      path,
      headers: req.headers,
      raw,
      spans: path.endsWith('/v1/traces') ? decodeTraces(raw, req.headers) : [],
      at: Date.now(),
    };
    const reply = this.script(captured, this.requests.length);
    this.requests.push(captured);
    if ('destroy' in reply) {
      req.socket.destroy();
      return;
    }
    captured.status = reply.status;
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body ?? '');
  }
}

function decodeTraces(raw: Buffer, headers: IncomingMessage['headers']): CapturedSpan[] {
  const body = headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  // OTLP/JSON writes ids as hex; protobufjs gives bytes, asked here as base64.
  const json = headers['content-type'] === 'application/json';
  const request: DecodedRequest = json
    ? JSON.parse(body.toString('utf8'))
    : ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { bytes: String, longs: Number });
  const hex = (id: string) => (json ? id : Buffer.from(id, 'base64').toString('hex'));
  return (request.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({ traceId: hex(span.traceId), spanId: hex(span.spanId), name: span.name, attributes: attributesOf(span.attributes) })),
    ),
  );
}

interface DecodedKeyValue {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number };
}
interface DecodedRequest {
  resourceSpans?: { scopeSpans?: { spans?: { traceId: string; spanId: string; name: string; attributes?: DecodedKeyValue[] }[] }[] }[];
}

function attributesOf(list: DecodedKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    out[key] = value?.stringValue ?? value?.boolValue ?? (value?.intValue !== undefined ? Number(value.intValue) : value?.doubleValue);
  }
  return out;
}

/** Real SDK spans: a TracerProvider with an in-memory exporter. */
export function makeSpans(count: number, prefix = 'span'): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('forwarder-test');
  for (let i = 0; i < count; i++) {
    tracer.startSpan(`${prefix}-${i}`, { attributes: { 'test.index': i, 'gen_ai.conversation.id': `conv-${i % 3}` } }).end();
  }
  return exporter.getFinishedSpans();
}

export function spanIds(spans: readonly ReadableSpan[]): string[] {
  return spans.map((span) => span.spanContext().spanId);
}

/**
 * A config with test-sized waits: retries in tens of ms, flush in ms. The request timeout stays
 * generous: a request that outlives it on a loaded machine is re-sent, and the upstream, which
 * had it, sees a duplicate (OTLP delivery is at least once).
 */
export function testConfig(endpoint: string, overrides: Partial<ForwardConfigInput> = {}): ForwardConfig {
  return ForwardConfigSchema.parse({
    endpoint,
    timeout: 3000,
    ...overrides,
    batch: { maxDelay: 5, ...overrides.batch },
    retry: { initialBackoff: 10, maxBackoff: 50, maxElapsed: 20_000, ...overrides.retry },
  });
}

/** Polls until `condition` holds (the forwarder works in the background). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A DiagLogger that keeps what it is told. */
export function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const record = (level: string) => (message: string, ...args: unknown[]) => {
    lines.push({ level, message: [message, ...args.map(String)].join(' ') });
  };
  return {
    lines,
    logger: { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug'), verbose: record('verbose') },
  };
}

/** What every forwarder test runs against: a fresh upstream (and temp dir) per test, its forwarders shut after it. */
export interface ForwarderTestbed {
  readonly upstream: CaptureServer;
  /** A temp dir of the test's own (queue files), removed after it. */
  readonly dir: string;
  /** Forwarders the test started: shut down (within `shutdownMs`) after it. */
  readonly forwarders: OtlpForwarder[];
}

/** Registers the per-test setup and teardown in the calling file; read the fields inside tests. */
export function useForwarderTestbed(options: { readonly shutdownMs?: number } = {}): ForwarderTestbed {
  const bed = { upstream: undefined as unknown as CaptureServer, dir: '', forwarders: [] as OtlpForwarder[] };
  beforeEach(async () => {
    bed.upstream = await CaptureServer.start();
    bed.dir = mkdtempSync(join(tmpdir(), 'tj-forward-'));
  });
  afterEach(async () => {
    await Promise.all(bed.forwarders.splice(0).map((forwarder) => forwarder.shutdown(options.shutdownMs ?? 1000)));
    await bed.upstream.down();
    rmSync(bed.dir, { recursive: true, force: true });
  });
  return bed;
}
