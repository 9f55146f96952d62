/**
 * Per-span overhead of EvaluationSpanProcessor (inline normalization, grounding
 * memory, the three commitment checks, result events) on top of a plain
 * BatchSpanProcessor export pipeline, and the memory of 50,000 open conversations.
 * Target (issue 18): ≤ 1.6× the floor row (the same result events added without evaluating).
 *
 *   node bench/processor-overhead.ts
 *
 * Workload: bench/agent-turn-workload.ts (invoke_agent + 2 execute_tool + chat,
 * ~1–2 KB of text per span). Both pipelines end in the same exporter, which
 * serializes each batch with the official OTLP serializer (JSON as
 * `exporter-trace-otlp-http` does, protobuf as `-proto` does) and discards the
 * bytes: the network, which a real export adds to both sides, is left out, so
 * the ratios are upper bounds. Baseline and evaluated runs alternate; medians.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Attributes, Context } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { EvaluationPipeline, EvaluationSpanProcessor } from '../processors/index.ts';
import { spanRecordFromReadable } from '../src/model/index.ts';
import type { SpanRecord } from '../src/model/index.ts';
import { agentTurn, replacementTool, replyText, SPANS_PER_TURN, SYSTEM, USER } from './agent-turn-workload.ts';
import { median, runSuite, type BenchRow } from './bench-table.ts';



type Encoding = 'json' | 'protobuf';

/** Serializes like the OTLP/HTTP exporter of that encoding, then drops the bytes. */
class SerializingExporter implements SpanExporter {
  readonly #encoding: Encoding;
  bytes = 0;
  constructor(encoding: Encoding) {
    this.#encoding = encoding;
  }
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const serializer = this.#encoding === 'json' ? JsonTraceSerializer : ProtobufTraceSerializer;
    this.bytes += serializer.serializeRequest(spans)?.length ?? 0;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

/** Microseconds per span for `turns` turns, exported in batches of 128 turns. */
async function timeRun(processor: SpanProcessor, turns: number, offset: number, commitEvery = 1): Promise<number> {
  const provider = new TracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('bench-agent');
  const chunk = 128;
  const start = performance.now();
  for (let done = 0; done < turns; done += chunk) {
    for (let i = done; i < Math.min(turns, done + chunk); i++) agentTurn(tracer, offset + i, commitEvery);
    await provider.forceFlush();
  }
  const elapsed = performance.now() - start;
  await provider.shutdown();
  return (elapsed * 1000) / (turns * SPANS_PER_TURN);
}

/**
 * The floor: the result events an evaluation writes, added with no evaluation at
 * all (attributes recorded from a real run of the processor, per chat span). What
 * this costs over the plain pipeline is the price of the events alone — the
 * bigger spans the exporter serializes — which no faster check can remove.
 */
class EventsOnlyProcessor implements SpanProcessor {
  readonly #downstream: SpanProcessor;
  readonly #events: readonly { name: string; attributes: Attributes }[];
  constructor(downstream: SpanProcessor, events: readonly { name: string; attributes: Attributes }[]) {
    this.#downstream = downstream;
    this.#events = events;
  }
  onStart(span: Span, parent: Context): void {
    this.#downstream.onStart(span, parent);
  }
  onEnding(span: Span): void {
    if (span.name.startsWith('chat ')) {
      for (const event of this.#events) span.addEvent(event.name, { ...event.attributes, 'gen_ai.response.id': (span.attributes['gen_ai.response.id'] as string) });
    }
  }
  onEnd(span: ReadableSpan): void {
    this.#downstream.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.#downstream.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#downstream.shutdown();
  }
}

/** The events the processor writes on one turn of this workload, as recorded from a real run. */
function recordedTurnEvents(): { name: string; attributes: Attributes }[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter }) })] });
  agentTurn(provider.getTracer('bench-agent'), 0);
  const events = exporter.getFinishedSpans().flatMap((span) => span.events);
  if (events.length === 0) throw new Error('the processor wrote no events on the workload');
  return events.map((event) => ({ name: event.name, attributes: { ...event.attributes } }));
}

function batch(exporter: SpanExporter): BatchSpanProcessor {
  return new BatchSpanProcessor({ exporter, maxQueueSize: 4096, maxExportBatchSize: 512, scheduledDelayMillis: 60_000 });
}

/** Medians of µs/span for each pipeline, run alternately on the same turns (run 0 warms the JIT). */
async function compare(runs: number, turns: number, pipelines: readonly (() => SpanProcessor)[], commitEvery = 1): Promise<number[]> {
  const times: number[][] = pipelines.map(() => []);
  for (let run = 0; run <= runs; run++) {
    for (const [k, make] of pipelines.entries()) {
      const time = await timeRun(make(), turns, run * turns, commitEvery);
      if (run > 0) times[k].push(time);
    }
  }
  return times.map(median);
}

function ratioRow(name: string, value: number, base: number, target?: string): BenchRow {
  return { name, value: round(value), unit: 'µs/span', baseline: round(base), ratio: Number((value / base).toFixed(3)), ...(target && { target }) };
}

async function measureOverhead(runs: number, turns: number, encoding: Encoding): Promise<BenchRow[]> {
  const events = recordedTurnEvents();
  const downstream = () => batch(new SerializingExporter(encoding));
  const [base, floor, value] = await compare(runs, turns, [
    downstream,
    () => new EventsOnlyProcessor(downstream(), events),
    () => new EvaluationSpanProcessor({ downstream: downstream() }),
  ]);
  return [
    { name: `plain BatchSpanProcessor + OTLP ${encoding} serialization`, value: round(base), unit: 'µs/span' },
    ratioRow(`floor: same pipeline, the ${events.length} result events per turn added without evaluating (${encoding})`, floor, base),
    ratioRow(`EvaluationSpanProcessor → same pipeline (${encoding})`, value, base),
    // The evaluation's own price is what it costs over the floor: the events it writes cost the same without it.
    ratioRow(`EvaluationSpanProcessor against its floor row (${encoding})`, value, floor, '≤ 1.6×'),
  ];
}

/**
 * The same comparison when one reply in `commitEvery` makes commitments: most replies of a support
 * conversation quote nothing, and they carry no result events (results exist only for commitments).
 */
async function measureMixedOverhead(runs: number, turns: number, commitEvery: number): Promise<BenchRow> {
  const downstream = () => batch(new SerializingExporter('json'));
  const [base, value] = await compare(runs, turns, [downstream, () => new EvaluationSpanProcessor({ downstream: downstream() })], commitEvery);
  return ratioRow(`EvaluationSpanProcessor (json), 1 reply in ${commitEvery} making commitments, the rest routine`, value, base);
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Memory with `count` conversations open in one pipeline (one turn each: a tool result and a checked reply). */
function measureMemory(count: number): BenchRow[] {
  const gc = collectGarbage();
  gc();
  const before = process.memoryUsage();
  const rssBefore = process.resourceUsage().maxRSS;
  const pipeline = new EvaluationPipeline({ conversations: { maxOpen: count, idleTimeoutMs: 3_600_000 } });
  const discard = { addEvent(): void {} };
  const span = (traceId: string, spanId: string, name: string, attributes: SpanRecord['attributes']): SpanRecord => ({
    traceId, spanId, name, kind: 1, startTimeUnixNano: 0n, endTimeUnixNano: 0n, attributes, resourceAttributes: {}, status: { code: 0 }, events: [],
  });
  for (let i = 0; i < count; i++) {
    const traceId = i.toString(16).padStart(32, '0');
    pipeline.noteStart({ traceId, spanId: '1'.padStart(16, '0'), attributes: { 'gen_ai.conversation.id': `conv-${i}` } });
    pipeline.onEnding(span(traceId, '2'.padStart(16, '0'), 'execute_tool create_replacement', {
      'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.result': replacementTool(i),
    }), discard);
    pipeline.onEnding(span(traceId, '3'.padStart(16, '0'), 'chat gpt-4.1-mini', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: USER[i % USER.length] }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: replyText(i) }] }]),
    }), discard);
  }
  gc();
  const after = process.memoryUsage();
  const stats = pipeline.stats();
  if (stats.conversationsOpen !== count) throw new Error(`expected ${count} open conversations, got ${stats.conversationsOpen}`);
  const heapMiB = (after.heapUsed - before.heapUsed) / 2 ** 20;
  return [
    { name: `heap held by ${count.toLocaleString('en-US')} open conversations`, value: round(heapMiB), unit: 'MiB' },
    { name: 'heap per open conversation', value: Math.round((heapMiB * 2 ** 20) / count), unit: 'bytes' },
    { name: 'RSS growth while opening them', value: round((after.rss - before.rss) / 2 ** 20), unit: 'MiB' },
    { name: 'peak RSS of the process at that point', value: round(Math.max(rssBefore, process.resourceUsage().maxRSS) / 1024), unit: 'MiB' },
  ];
}

function round(value: number): number {
  return Number(value.toFixed(2));
}

/** The inline pipeline alone, on spans already recorded (no SDK, no export): its own cost per span. */
function measurePipelineAlone(runs: number, turns: number): BenchRow {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('bench-agent');
  for (let i = 0; i < turns; i++) agentTurn(tracer, i);
  const records = exporter.getFinishedSpans().map(spanRecordFromReadable);
  const discard = { addEvent(): void {} };
  const times: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const pipeline = new EvaluationPipeline();
    const start = performance.now();
    for (const record of records) {
      // As in the SDK: the turn span starts (and names its conversation) before its children end.
      if (record.parentSpanId === undefined) pipeline.noteStart(record);
    }
    for (const record of records) pipeline.onEnding(record, discard);
    if (run > 0) times.push(((performance.now() - start) * 1000) / records.length);
  }
  return { name: 'inline pipeline alone (normalize, ground, check, events), no SDK', value: round(median(times)), unit: 'µs/span' };
}

export async function runProcessorOverheadBench(options: { runs?: number; turns?: number; conversations?: number } = {}): Promise<BenchRow[]> {
  // Memory first, so that the peak RSS reported is this phase's and not the timing runs'.
  const memory = measureMemory(options.conversations ?? 50_000);
  collectGarbage()(); // the memory phase's pipeline is garbage now; do not let it slow the timing runs
  const runs = options.runs ?? 7;
  const turns = options.turns ?? 1024;
  const json = await measureOverhead(runs, turns, 'json');
  const protobuf = await measureOverhead(runs, turns, 'protobuf');
  const mixed = await measureMixedOverhead(runs, turns, 4);
  const alone = measurePipelineAlone(runs, turns);
  return [...json, ...protobuf, mixed, alone, ...memory];
}


if (import.meta.main) await runSuite('EvaluationSpanProcessor overhead per span (turn + 2 tools + chat, 1–2 KB text)', () => runProcessorOverheadBench());
