/**
 * The collector bench's separate process (forked by bench/collector.ts): the upstream sink
 * the collector forwards to (answers 200 at once, counts bytes), and the load generator that
 * sends OTLP protobuf requests over keep-alive HTTP, or OTLP/gRPC (one HTTP/2 channel, as the
 * official gRPC exporters use), to 127.0.0.1. Every run is bounded by a duration and a request
 * count. Talks to its parent over IPC only.
 */
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildTemplate, requestBody, TURNS_PER_REQUEST } from './collector-workload.ts';
import type { RequestTemplate } from './collector-workload.ts';

export interface LoadRun {
  /** `http://host:port` (HTTP), or `host:port` (gRPC). */
  readonly target: string;
  readonly transport?: 'http' | 'grpc';
  /** `closed`: `concurrency` requests always in flight. `open`: `ratePerSecond` requests started per second, up to `concurrency` in flight. */
  readonly mode: 'closed' | 'open';
  readonly concurrency: number;
  readonly ratePerSecond?: number;
  readonly durationMs: number;
  readonly maxRequests: number;
  readonly openConversations: number;
}

export interface LoadResult {
  readonly requests: number;
  /** HTTP status codes, or `grpc-<code>` (`grpc-0` is OK); -1 a transport error. */
  readonly statuses: Record<string, number>;
  readonly spansAccepted: number;
  readonly elapsedMs: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Open loop: requests not started because `concurrency` were already in flight. */
  readonly skipped: number;
  readonly spansPerRequest: number;
  readonly bytesPerRequest: number;
  readonly attributeBytesPerSpan: number;
  /** CPU time (user + system) this process spent during the run: sending, and sinking what the collector forwards. */
  readonly cpuMs: number;
}

let template: RequestTemplate;
let sequence = 0;
const sink = { requests: 0, bytes: 0 };

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function send(agent: Agent, target: URL, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.byteLength } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(-1));
      },
    );
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const raw = (bytes: Buffer) => bytes;

/** One Export call with an already encoded request: the same bytes the HTTP load posts. */
function sendGrpc(client: Client, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_EXPORT, raw, raw, body, new Metadata(), {}, (error) => resolve(`grpc-${error ? (error.code ?? -1) : 0}`));
  });
}

/** A sender per run: its `send` resolves with the answer's status key and `accepted` says which keys are success. */
function senderFor(options: LoadRun): { send(body: Buffer): Promise<string | number>; accepted(status: string | number): boolean; close(): void } {
  if (options.transport === 'grpc') {
    const client = new Client(options.target, credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
    return { send: (body) => sendGrpc(client, body), accepted: (status) => status === 'grpc-0', close: () => client.close() };
  }
  const target = new URL('/v1/traces', options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  return { send: (body) => send(agent, target, body), accepted: (status) => status === 200, close: () => agent.destroy() };
}

async function run(options: LoadRun): Promise<LoadResult> {
  const sender = senderFor(options);
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let requests = 0;
  let accepted = 0;
  let skipped = 0;
  let inFlight = 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.durationMs;
  const one = async () => {
    const body = requestBody(template, sequence++, options.openConversations);
    const at = performance.now();
    inFlight++;
    requests++;
    const status = await sender.send(body);
    inFlight--;
    latencies.push(performance.now() - at);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (sender.accepted(status)) accepted += template.spans;
  };
  if (options.mode === 'closed') {
    const worker = async () => {
      while (performance.now() < deadline && requests < options.maxRequests) await one();
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } else {
    const interval = 1000 / (options.ratePerSecond ?? 1);
    const pending = new Set<Promise<void>>();
    for (let next = started; performance.now() < deadline && requests + skipped < options.maxRequests; next += interval) {
      const wait = next - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      if (inFlight >= options.concurrency) {
        skipped++;
        continue;
      }
      const sent: Promise<void> = one().then(() => void pending.delete(sent));
      pending.add(sent);
    }
    await Promise.all(pending);
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  sender.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests,
    statuses,
    spansAccepted: accepted,
    elapsedMs,
    latencyMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? NaN },
    skipped,
    spansPerRequest: template.spans,
    bytesPerRequest: template.body.byteLength,
    attributeBytesPerSpan: template.attributeBytesPerSpan,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function main(): Promise<void> {
  template = await buildTemplate(TURNS_PER_REQUEST);
  const server = createServer((req, res) => {
    sink.requests++;
    req.on('data', (chunk: Buffer) => (sink.bytes += chunk.byteLength));
    // An empty ExportTraceServiceResponse: full success.
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({ type: 'sink', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces` });
  process.on('message', (message: { type: 'run'; run: LoadRun } | { type: 'sink-stats' } | { type: 'exit' }) => {
    if (message.type === 'run') void run(message.run).then((result) => process.send!({ type: 'result', result }));
    else if (message.type === 'sink-stats') process.send!({ type: 'sink-stats', ...sink });
    else {
      server.close();
      server.closeAllConnections();
      process.disconnect();
    }
  });
}

await main();
