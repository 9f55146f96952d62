/**
 * Per-span overhead of EvaluationSpanProcessor (inline normalization, grounding
 * memory, the three commitment checks, result events) on top of a plain
 * BatchSpanProcessor export pipeline, and the memory of 50,000 open conversations.
 * Target (issue): ≤ 1.10× the plain pipeline's time per span.
 *
 *   node bench/processor-overhead.ts
 *
 * Workload: agent turns as GenAI instrumentation records them — invoke_agent +
 * 2 execute_tool + chat, content on the spans (~1–2 KB of text per span), five
 * turns per conversation. Both pipelines end in the same exporter, which
 * serializes each batch with the official OTLP serializer (JSON as
 * `exporter-trace-otlp-http` does, protobuf as `-proto` does) and discards the
 * bytes: the network, which a real export adds to both sides, is left out, so
 * the ratios are upper bounds. Baseline and evaluated runs alternate; medians.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, Context, Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { EvaluationPipeline, EvaluationSpanProcessor } from '../processors/index.ts';
import { spanRecordFromReadable } from '../src/model/index.ts';
import type { SpanRecord } from '../src/model/index.ts';
import { runSuite, type BenchRow } from './bench-table.ts';


const SPANS_PER_TURN = 4;
const TURNS_PER_CONVERSATION = 5;

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

const SYSTEM = 'You are the support assistant of Northwind Outfitters. Quote prices, dates and refund amounts only from tool results. Returns are accepted within 30 days; opened electronics carry a 15% restocking fee. Escalate to a human when the customer asks twice.';
const USER = [
  'Hi, my order {order} arrived with a torn sleeve on the rain jacket. Can I get a replacement in size M, and how much would express shipping cost? I need it before the weekend trip.',
  'Thanks. Also, was I charged twice? I see two charges of 89.90 on my card statement from the 20th.',
  'OK, and when exactly will the refund arrive? I would like it before the end of the month if possible.',
];

function orderTool(i: number): string {
  return JSON.stringify({
    order_id: `4588${i % 100}`,
    status: 'delivered',
    items: [{ sku: 'JK-221', name: 'Rain jacket', size: 'L', qty: 1, unit_price: 89.9 }],
    charges: [{ amount: 89.9, at: '2026-11-20T10:02:11Z' }, { amount: 89.9, at: '2026-11-20T10:02:14Z' }],
    shipping: { method: 'standard', carrier: 'DHL', delivered_at: '2026-11-22T16:40:00Z' },
    currency: 'EUR',
    notes: 'Customer reported damage on delivery; photos attached to case file. Replacement eligible under policy R-3.',
  });
}

function replacementTool(i: number): string {
  return JSON.stringify({
    case_id: `CS-${20_000 + i}`,
    replacement: { sku: 'JK-221', size: 'M', in_stock: true, warehouse: 'Leipzig' },
    express_shipping: { price: 9.95, currency: 'EUR', delivery_by: '2026-11-27' },
    refund: { duplicate_charge: 89.9, status: 'approved', eta_days: 5, method: 'card' },
  });
}

function replyText(i: number): string {
  return (
    `I'm sorry about the torn sleeve on order 4588${i % 100}. I have opened case CS-${20_000 + i} and reserved a replacement rain jacket in size M, ` +
    'which is in stock in our Leipzig warehouse. Express shipping costs €9.95 and the parcel will arrive by 27 November, in time for your trip. ' +
    'You were indeed charged twice: the duplicate charge of €89.90 has been approved for a refund to your card, and it usually arrives within 5 business days. ' +
    'You do not need to send the damaged jacket back — the photos you sent are enough. If the replacement does not fit, you can return it within 30 days. ' +
    'Is there anything else I can help you with today? Our team is available from 9:00 to 18:00 on weekdays if you prefer to talk to someone.'
  );
}

/** A reply that commits to nothing (no price, time or refund): most replies of a support conversation. */
function routineReplyText(i: number): string {
  return (
    `Thanks for your patience. I have looked up order 4588${i % 100} and opened case CS-${20_000 + i} for the torn sleeve, ` +
    'so the warehouse team can see the photos you sent. The replacement rain jacket in size M is reserved for you and the case notes ' +
    'say the damage was reported on delivery, so nothing else is needed from your side. You will get an e-mail confirmation as soon as the parcel ' +
    'leaves the warehouse, with a tracking link. If the new jacket does not fit, just reply to that e-mail and we will sort it out. ' +
    'Is there anything else I can help you with today, for example the other items of your order or your account details?'
  );
}

/**
 * One agent turn through `tracer`, content built per turn as an instrumentation would.
 * One turn in `commitEvery` has a reply quoting prices, a time and a refund; the others commit to nothing.
 */
export function agentTurn(tracer: Tracer, i: number, commitEvery = 1): void {
  const conversationId = `conv-${Math.floor(i / TURNS_PER_CONVERSATION)}`;
  const user = USER[i % USER.length].replace('{order}', `4588${i % 100}`);
  const userMessage = { role: 'user', parts: [{ type: 'text', content: user }] };
  const text = i % commitEvery === 0 ? replyText(i) : routineReplyText(i);
  const reply = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]);
  const turn = tracer.startSpan('invoke_agent support', {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support',
      'gen_ai.conversation.id': conversationId,
      'gen_ai.input.messages': JSON.stringify([userMessage]),
    },
  });
  const inside = trace.setSpan(context.active(), turn);
  const results = [orderTool(i), replacementTool(i)];
  const toolMessages: unknown[] = [];
  results.forEach((result, n) => {
    const name = n === 0 ? 'get_order' : 'create_replacement';
    const tool = tracer.startSpan(`execute_tool ${name}`, {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': name,
        'gen_ai.tool.call.id': `call_${n}`,
        'gen_ai.tool.call.arguments': JSON.stringify({ order_id: `4588${i % 100}` }),
        'gen_ai.tool.call.result': result,
      },
    }, inside);
    tool.end();
    toolMessages.push(
      { role: 'assistant', parts: [{ type: 'tool_call', id: `call_${n}`, name, arguments: { order_id: `4588${i % 100}` } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: `call_${n}`, response: result }] },
    );
  });
  const chat = tracer.startSpan('chat gpt-4.1-mini', { kind: SpanKind.CLIENT }, inside);
  chat.setAttributes({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4.1-mini',
    'gen_ai.response.id': `chatcmpl-${i}`,
    'gen_ai.usage.input_tokens': 812,
    'gen_ai.usage.output_tokens': 164,
    'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
    'gen_ai.input.messages': JSON.stringify([userMessage, ...toolMessages]),
    'gen_ai.output.messages': reply,
  });
  chat.end();
  turn.setAttribute('gen_ai.output.messages', reply);
  turn.end();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
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

async function measureOverhead(runs: number, turns: number, encoding: Encoding): Promise<BenchRow[]> {
  const plain: number[] = [];
  const eventsOnly: number[] = [];
  const evaluated: number[] = [];
  const events = recordedTurnEvents();
  for (let run = 0; run <= runs; run++) {
    const offset = run * turns;
    const p = await timeRun(batch(new SerializingExporter(encoding)), turns, offset);
    const f = await timeRun(new EventsOnlyProcessor(batch(new SerializingExporter(encoding)), events), turns, offset);
    const e = await timeRun(new EvaluationSpanProcessor({ downstream: batch(new SerializingExporter(encoding)) }), turns, offset);
    if (run > 0) {
      plain.push(p); // run 0 warms the JIT
      eventsOnly.push(f);
      evaluated.push(e);
    }
  }
  const base = median(plain);
  const floor = median(eventsOnly);
  const value = median(evaluated);
  return [
    { name: `plain BatchSpanProcessor + OTLP ${encoding} serialization`, value: round(base), unit: 'µs/span' },
    {
      name: `floor: same pipeline, the ${events.length} result events per turn added without evaluating (${encoding})`,
      value: round(floor),
      unit: 'µs/span',
      baseline: round(base),
      ratio: Number((floor / base).toFixed(3)),
    },
    {
      name: `EvaluationSpanProcessor → same pipeline (${encoding})`,
      value: round(value),
      unit: 'µs/span',
      baseline: round(base),
      ratio: Number((value / base).toFixed(3)),
      target: '≤ 1.10×',
    },
  ];
}

/**
 * The same comparison when one reply in `commitEvery` makes commitments: most replies of a support
 * conversation quote nothing, and they carry no result events (results exist only for commitments).
 */
async function measureMixedOverhead(runs: number, turns: number, commitEvery: number): Promise<BenchRow> {
  const plain: number[] = [];
  const evaluated: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const offset = run * turns;
    const p = await timeRun(batch(new SerializingExporter('json')), turns, offset, commitEvery);
    const e = await timeRun(new EvaluationSpanProcessor({ downstream: batch(new SerializingExporter('json')) }), turns, offset, commitEvery);
    if (run > 0) {
      plain.push(p);
      evaluated.push(e);
    }
  }
  const base = median(plain);
  const value = median(evaluated);
  return {
    name: `EvaluationSpanProcessor (json), 1 reply in ${commitEvery} making commitments, the rest routine`,
    value: round(value),
    unit: 'µs/span',
    baseline: round(base),
    ratio: Number((value / base).toFixed(3)),
  };
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
