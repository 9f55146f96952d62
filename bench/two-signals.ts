/**
 * `npm run bench -- two-signals`: the collector with GenAI content as log records (the official
 * OpenAI instrumentation's shape: ~5 records per chat span, spans and logs in separate requests)
 * against the same conversations with the content on span attributes, in one process, same run.
 *
 * Workload: 120 two-turn conversations recorded once through the real
 * `@opentelemetry/instrumentation-openai` (openai 6) against the local test server, 12 per
 * request; the attribute shape is the same spans with the records' content put on the chat spans
 * (`gen_ai.input.messages` / `gen_ai.output.messages`). Bodies are OTLP protobuf from the official
 * serializers. The collector (CollectorService: real HTTP receiver, pipeline, forwarder to a sink
 * on 127.0.0.1) takes them over keep-alive HTTP from a closed loop in this process; for the log
 * shape each traces request goes out first and its logs request right after, so every chat span
 * waits for its content (the join's worst order). Rounds alternate the shapes; the ratio is the
 * median of the rounds' (5 by default). Bounded: ROUNDS × REQUESTS requests, all to 127.0.0.1.
 */
import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpForwarder } from '../src/collector/forward/forwarder.ts';
import { decodeLogsRequestProtobuf, decodeTraceRequestProtobuf } from '../src/otlp/index.ts';
import { CollectorService } from '../src/collector/service.ts';
import { ForwardConfigSchema } from '../src/config/forward.ts';
import { contentAttributesOf } from '../src/model/content-records.ts';
import type { ContentRecord } from '../src/model/content-records.ts';
import { installContextManager } from '../test/instrumentation/tracing-harness.ts';
import { contribHandler, contribOpenAI, runContribConversation } from '../test/support/contrib-openai.ts';
import type { ContribScript } from '../test/support/contrib-openai.ts';
import { startOpenAITestServer } from '../test/support/openai-test-server.ts';
import { median, runSuite } from './bench-table.ts';
import type { BenchRow } from './bench-table.ts';

const CONVERSATIONS = 120;
const PER_REQUEST = 12;
const ROUNDS = Number(process.env.BENCH_TWO_SIGNALS_ROUNDS ?? 5);
/** Requests per round: the workload's requests, replayed with fresh ids. */
const REQUESTS_PER_ROUND = Number(process.env.BENCH_TWO_SIGNALS_REQUESTS ?? 1000);
const CONCURRENCY = 8;

interface Workload {
  /** Per request: the traces body with content on the spans. */
  readonly attributeShape: Buffer[];
  /** Per request: the content-less traces body and its logs body. */
  readonly logShape: { traces: Buffer; logs: Buffer }[];
  readonly spansPerRequest: number;
  readonly recordsPerChatSpan: number;
}

function scripts(): ContribScript[] {
  return Array.from({ length: CONVERSATIONS }, (_, i) => ({
    conversationId: `bench-${i}`,
    toolResult: { service: 'cleaning', price: `$${100 + (i % 50)}.00`, next_slot: '10:30', refund_amount: '$45.00' },
    reply1: `A cleaning costs $${100 + (i % 50)}.00. The next slot is tomorrow at 10:30, and your refund of $45.00 has been issued.`,
    reply2: `Booked: your cleaning tomorrow at 10:30, $${100 + (i % 50)}.00 due at the visit.`,
  }));
}

async function record(): Promise<Workload> {
  installContextManager();
  const all = scripts();
  const model = await startOpenAITestServer(contribHandler(all));
  const attributeShape: Buffer[] = [];
  const logShape: { traces: Buffer; logs: Buffer }[] = [];
  let spansPerRequest = 0;
  let records = 0;
  let chatSpans = 0;
  for (let start = 0; start < all.length; start += PER_REQUEST) {
    const spans = new InMemorySpanExporter();
    const logs = new InMemoryLogRecordExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
    const OpenAI = contribOpenAI(tracerProvider, loggerProvider);
    const client = new OpenAI({ baseURL: model.baseURL, apiKey: 'test', maxRetries: 0 });
    for (const script of all.slice(start, start + PER_REQUEST)) await runContribConversation(client, script, tracerProvider);
    await loggerProvider.forceFlush();
    const finished = spans.getFinishedSpans();
    const logRecords = logs.getFinishedLogRecords();
    const traces = Buffer.from(ProtobufTraceSerializer.serializeRequest(finished)!);
    logShape.push({ traces, logs: Buffer.from(ProtobufLogsSerializer.serializeRequest(logRecords)!) });
    attributeShape.push(withContentOnSpans(traces, logRecords));
    spansPerRequest = finished.length;
    records += logRecords.length;
    chatSpans += finished.filter((span) => span.name.startsWith('chat')).length;
  }
  await model.close();
  return { attributeShape, logShape, spansPerRequest, recordsPerChatSpan: records / chatSpans };
}

/** The same spans with each chat span's log-record content written on it as GenAI attributes. */
function withContentOnSpans(traces: Buffer, records: readonly ReadableLogRecord[]): Buffer {
  const bySpan = new Map<string, ContentRecord[]>();
  for (const record of records) {
    const spanId = record.spanContext?.spanId;
    if (spanId === undefined) continue;
    const list = bySpan.get(spanId) ?? [];
    list.push({ eventName: String(record.attributes['event.name'] ?? record.eventName), attributes: record.attributes as never, body: record.body as never });
    bySpan.set(spanId, list);
  }
  const spans: ReadableSpan[] = decodeTraceRequestProtobuf(traces).spans.map((span) => {
    const view = span.toReadableSpan();
    const content = bySpan.get(span.spanId);
    const attributes = content && contentAttributesOf(content, { problems: [], maxChars: 1 << 20, maxItems: 1000 });
    for (const [key, value] of Object.entries(attributes ?? {})) (view as unknown as { setAttribute(k: string, v: unknown): void }).setAttribute(key, JSON.stringify(value));
    return view;
  });
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

/** A copy of a request with every trace id's first 8 hex digits replaced: each replay is new traffic. */
function withFreshIds(body: Buffer, traceIds: readonly Buffer[], sequence: number): Buffer {
  const copy = Buffer.from(body);
  const stamp = Buffer.alloc(4);
  stamp.writeUInt32BE(sequence);
  for (const id of traceIds) {
    for (let at = copy.indexOf(id); at !== -1; at = copy.indexOf(id, at + id.length)) stamp.copy(copy, at);
  }
  return copy;
}

function traceIdsOf(body: Buffer): Buffer[] {
  return [...new Set(decodeTraceRequestProtobuf(body).spans.map((span) => span.traceId))].map((hex) => Buffer.from(hex, 'hex'));
}

async function startSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function post(agent: Agent, url: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.byteLength } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

interface RoundResult {
  readonly spansPerSecond: number;
  readonly p99RequestMs: number;
  readonly p99JoinWaitMs: number;
  readonly repliesChecked: number;
  readonly failures: number;
}

/** The collector in a process of its own (bench/collector-server.ts, mode `checks`): its CPU is its own. */
function startCollector(sinkUrl: string): Promise<{ url: string; stop(): Promise<CollectorReport> }> {
  const execArgv = process.env.BENCH_TWO_SIGNALS_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_TWO_SIGNALS_PROFILE}`] : [];
  const child = fork(fileURLToPath(new URL('collector-server.ts', import.meta.url)), ['checks', sinkUrl], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (ready: { type: string; url: string }) => {
      resolve({
        url: ready.url,
        stop: () =>
          new Promise((done) => {
            child.once('message', (report: CollectorReport) => done(report));
            child.send({ type: 'stop' });
          }),
      });
    });
  });
}

interface CollectorReport {
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly maxRssBytes: number;
  readonly stats: { pipeline: { repliesChecked: number }; join: { p99WaitMs: number; spansWaitedFor: number; releasedWithContent: number } };
}

interface RoundResult {
  readonly spansPerSecond: number;
  readonly cpuMsPer1000Spans: number;
  readonly p99RequestMs: number;
  readonly p99JoinWaitMs: number;
  readonly repliesChecked: number;
  readonly waitedWithContent: number;
  readonly maxRssMiB: number;
  /** CPU seconds per second of the sender (this process: load and sink) and of the collector. */
  readonly senderBusy: number;
  readonly collectorBusy: number;
  readonly failures: number;
}

async function round(workload: Workload, shape: 'attributes' | 'logs', sequenceBase: number): Promise<RoundResult> {
  const sink = await startSink();
  const collector = await startCollector(sink.url);
  const base = collector.url;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const traceIds = workload.logShape.map((request) => traceIdsOf(request.traces));
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (next < REQUESTS_PER_ROUND) {
      const index = next++;
      const at = index % workload.logShape.length;
      const sequence = sequenceBase + index;
      const sentAt = performance.now();
      if (shape === 'attributes') {
        if ((await post(agent, `${base}/v1/traces`, withFreshIds(workload.attributeShape[at], traceIds[at], sequence))) !== 200) failures++;
      } else {
        const { traces, logs } = workload.logShape[at];
        if ((await post(agent, `${base}/v1/traces`, withFreshIds(traces, traceIds[at], sequence))) !== 200) failures++;
        if ((await post(agent, `${base}/v1/logs`, withFreshIds(logs, traceIds[at], sequence))) !== 200) failures++;
      }
      latencies.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  const senderCpu = process.cpuUsage(cpuAtStart);
  const report = await collector.stop();
  agent.destroy();
  await sink.close();
  latencies.sort((a, b) => a - b);
  const spans = REQUESTS_PER_ROUND * workload.spansPerRequest;
  return {
    spansPerSecond: spans / elapsedS,
    cpuMsPer1000Spans: ((report.cpuUserMs + report.cpuSystemMs) / spans) * 1000,
    p99RequestMs: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    p99JoinWaitMs: report.stats.join.p99WaitMs,
    repliesChecked: report.stats.pipeline.repliesChecked,
    waitedWithContent: report.stats.join.releasedWithContent,
    maxRssMiB: report.maxRssBytes / 1024 / 1024,
    senderBusy: (senderCpu.user + senderCpu.system) / 1e6 / elapsedS,
    collectorBusy: (report.cpuUserMs + report.cpuSystemMs) / 1000 / elapsedS,
    failures,
  };
}

/** Heap held per chat span waiting for its content: traces sent, their logs not yet. */
async function memoryPerWaitingSpan(workload: Workload): Promise<number> {
  const sink = await startSink();
  const forwarder = new OtlpForwarder(ForwardConfigSchema.parse({ endpoint: sink.url, timeout: '30s' }), {});
  const service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, joinWaitMs: 600_000, forwarderMaxQueuedSpans: 1_000_000 });
  const { port } = await service.start();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const traceIds = workload.logShape.map((request) => traceIdsOf(request.traces));
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 200; i++) {
    const at = i % workload.logShape.length;
    await post(agent, `http://127.0.0.1:${port}/v1/traces`, withFreshIds(workload.logShape[at].traces, traceIds[at], 9_000_000 + i));
  }
  gc?.();
  const held = process.memoryUsage().heapUsed - before;
  const waiting = service.stats().join.spansWaitedFor;
  await service.stop();
  agent.destroy();
  await sink.close();
  return held / Math.max(1, waiting);
}

await runSuite('two signals: content as log records vs on span attributes (collector, same run)', async (): Promise<BenchRow[]> => {
  const workload = await record();
  // Sanity: both shapes decode to the same spans, and the log shape carries ~5 records per chat span.
  for (const request of workload.logShape) {
    if (decodeLogsRequestProtobuf(request.logs).rejected.length > 0) throw new Error('workload: logs request with rejected records');
  }
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const busy: string[] = [];
  const cpu = { attributes: [] as number[], logs: [] as number[] };
  const rss = { attributes: [] as number[], logs: [] as number[] };
  const attributeRates: number[] = [];
  const logRates: number[] = [];
  const waits: number[] = [];
  const p99Attributes: number[] = [];
  const p99Logs: number[] = [];
  let checked = { attributes: 0, logs: 0 };
  let failures = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const order: ('attributes' | 'logs')[] = r % 2 === 0 ? ['attributes', 'logs'] : ['logs', 'attributes'];
    const results: Partial<Record<'attributes' | 'logs', RoundResult>> = {};
    for (const shape of order) results[shape] = await round(workload, shape, r * 10 * REQUESTS_PER_ROUND + (shape === 'logs' ? 5 * REQUESTS_PER_ROUND : 0));
    const a = results.attributes!;
    const l = results.logs!;
    ratios.push(l.spansPerSecond / a.spansPerSecond);
    cpuRatios.push(l.cpuMsPer1000Spans / a.cpuMsPer1000Spans);
    cpu.attributes.push(a.cpuMsPer1000Spans);
    cpu.logs.push(l.cpuMsPer1000Spans);
    rss.attributes.push(a.maxRssMiB);
    rss.logs.push(l.maxRssMiB);
    busy.push(`${a.collectorBusy.toFixed(2)}/${a.senderBusy.toFixed(2)} · ${l.collectorBusy.toFixed(2)}/${l.senderBusy.toFixed(2)}`);
    if (l.waitedWithContent === 0) throw new Error('log shape: no span waited for its content; the join was not exercised');
    attributeRates.push(a.spansPerSecond);
    logRates.push(l.spansPerSecond);
    waits.push(l.p99JoinWaitMs);
    p99Attributes.push(a.p99RequestMs);
    p99Logs.push(l.p99RequestMs);
    checked = { attributes: a.repliesChecked, logs: l.repliesChecked };
    failures += a.failures + l.failures;
  }
  if (checked.attributes !== checked.logs) throw new Error(`the shapes checked different replies: ${JSON.stringify(checked)}`);
  if (failures > 0) throw new Error(`${failures} requests were not answered 200`);
  const perSpan = await memoryPerWaitingSpan(workload);
  return [
    { name: 'workload: spans per traces request / log records per chat span', value: workload.spansPerRequest, unit: `spans (${workload.recordsPerChatSpan.toFixed(1)} records/chat span)` },
    { name: 'content on span attributes: sustained spans/s (median of rounds)', value: Math.round(median(attributeRates)), unit: 'spans/s' },
    { name: 'content as log records (traces then logs): sustained spans/s', value: Math.round(median(logRates)), unit: 'spans/s', baseline: Math.round(median(attributeRates)), ratio: median(ratios), target: '≥ 0.8×' },
    { name: 'log-record shape / attribute shape, per round', value: Number(median(ratios).toFixed(3)), unit: `× (rounds: ${ratios.map((x) => x.toFixed(2)).join(' · ')})` },
    { name: 'collector CPU per 1,000 spans, log shape', value: Number(median(cpu.logs).toFixed(1)), unit: `ms (attribute shape as baseline; rounds: ${cpuRatios.map((x) => x.toFixed(2)).join(' · ')})`, baseline: Number(median(cpu.attributes).toFixed(1)), ratio: median(cpuRatios) },
    { name: 'CPU busy per round: collector/sender, attribute · log shape', value: ROUNDS, unit: `rounds: ${busy.join('; ')}` },
    { name: 'collector peak RSS, log shape', value: Math.round(median(rss.logs)), unit: 'MiB', baseline: Math.round(median(rss.attributes)), ratio: median(rss.logs) / median(rss.attributes) },
    { name: 'p99 wait of a request for its content (join)', value: Number(median(waits).toFixed(1)), unit: 'ms (median of rounds)' },
    { name: 'p99 request latency, log shape (traces + logs request)', value: Number(median(p99Logs).toFixed(1)), unit: 'ms', baseline: Number(median(p99Attributes).toFixed(1)), ratio: median(p99Logs) / median(p99Attributes) },
    { name: 'heap held per chat span waiting for its content', value: Math.round(perSpan), unit: 'bytes (request bytes and decoded spans included)' },
    { name: 'replies checked per round (both shapes alike)', value: checked.logs, unit: 'replies' },
  ];
});
