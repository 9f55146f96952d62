/**
 * Long conversations: CPU per span of the inline pipeline as a conversation grows.
 *
 *   node bench/long-conversation.ts
 *
 * An agent sends the model the conversation so far on every call, and GenAI instrumentation
 * records it whole in each chat span's `gen_ai.input.messages`: at turn 30 of a support
 * conversation that is ~40 KB of JSON. Read whole on every chat span, a conversation costs
 * O(turns²); src/model/history-memo.ts reads each input once per conversation and then only
 * what was appended. Past turn 33 the history also carries more grounding sources than a
 * conversation keeps (`maxSourcesPerConversation`, 100): those past the cap are left out rather
 * than added and dropped again on every chat span. Workload: 100 conversations of 40 turns, each turn invoke_agent + 2
 * execute_tool + chat (GenAI semconv, content on the spans, the chat input growing by the
 * turn's user message, tool calls, tool results and reply), encoded as one OTLP protobuf
 * request per turn and decoded as the collector does, so every span brings fresh strings.
 * The baseline is the same pipeline early in the conversations (turns 2–4): before these
 * changes turn 30 cost ~3–5× that and turn 45 ~18×; what still grows is the walk over the
 * history's messages for grounding. Three runs with their own conversation ids; medians.
 */
import { performance } from 'node:perf_hooks';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { EvaluationPipeline, pipelineOptionsFromConfig } from '../processors/index.ts';
import { decodeTraceRequestProtobuf } from '../src/otlp/index.ts';
import { resolveConfig } from '../src/config/index.ts';
import { median, runSuite, type BenchRow } from './bench-table.ts';

const CONVERSATIONS = 100;
/** Turns of other conversations evaluated first, so the measured turns run on warm code. */
const WARMUP_TURNS = 5;
const TURNS = 40;
const RUNS = 3;

const orderResult = (turn: number) => ({
  order: `NW-${48_000 + turn}`,
  status: turn % 3 === 0 ? 'in transit' : 'delivered',
  items: Array.from({ length: 4 }, (_, i) => ({ sku: `RJ-${400 + i}-M`, quantity: 1 + (i % 2), unitPrice: `$${(89.9 - i * 7 + turn).toFixed(2)}` })),
  charges: [{ id: `ch_${turn}`, amount: `$${(40 + turn).toFixed(2)}`, at: '2026-03-20T10:01:00Z' }],
  notes: 'Eligible for replacement or refund under policy R-3.',
});
const quoteResult = (turn: number) => ({ carrier: 'ParcelFast', express: { price: `$${(12 + turn / 10).toFixed(2)}`, eta: 'Friday 27 March' }, standard: { price: '$4.90', eta: 'Tuesday 31 March' } });
const userText = (turn: number) => `Turn ${turn}: about order NW-${48_000 + turn}, what did I pay and how fast can a replacement come?`;
const replyText = (turn: number) =>
  `Order NW-${48_000 + turn} was charged $${(40 + turn).toFixed(2)}. Express shipping is $${(12 + turn / 10).toFixed(2)} and arrives Friday 27 March.`;

/** The messages one turn adds to the history, after the user's question: tool calls, tool results, the reply. */
function turnMessages(turn: number): { toolPart: unknown[]; results: unknown[]; reply: unknown } {
  return {
    toolPart: [{ role: 'assistant', parts: [
      { type: 'tool_call', id: `call_o${turn}`, name: 'lookup_order', arguments: { order: `NW-${48_000 + turn}` } },
      { type: 'tool_call', id: `call_q${turn}`, name: 'shipping_quote', arguments: { sku: 'RJ-400-M' } },
    ] }],
    results: [
      { role: 'tool', parts: [{ type: 'tool_call_response', id: `call_o${turn}`, response: orderResult(turn) }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: `call_q${turn}`, response: quoteResult(turn) }] },
    ],
    reply: { role: 'assistant', parts: [{ type: 'text', content: replyText(turn) }] },
  };
}

/** One OTLP request per turn: that turn of every conversation (conversation ids `<prefix>-<n>`). */
async function buildRequests(prefix: string, turns: number): Promise<Buffer[]> {
  const requests: Buffer[] = [];
  const histories: unknown[][] = Array.from({ length: CONVERSATIONS }, () => []);
  for (let turn = 1; turn <= turns; turn++) {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'support-agent' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('tracejudge-bench');
    for (let c = 0; c < CONVERSATIONS; c++) {
      const conversation = { 'gen_ai.conversation.id': `${prefix}-${c}` };
      const history = histories[c];
      history.push({ role: 'user', parts: [{ type: 'text', content: userText(turn) }] });
      const { toolPart, results, reply } = turnMessages(turn);
      history.push(...toolPart, ...results);
      const agent = tracer.startSpan('invoke_agent support', { attributes: { ...conversation, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' } });
      const parent = trace.setSpan(ROOT_CONTEXT, agent);
      for (const [name, result] of [['lookup_order', orderResult(turn)], ['shipping_quote', quoteResult(turn)]] as const) {
        tracer
          .startSpan(`execute_tool ${name}`, { attributes: { ...conversation, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, 'gen_ai.tool.call.result': JSON.stringify(result) } }, parent)
          .end();
      }
      tracer
        .startSpan('chat gpt-4.1-mini', {
          kind: SpanKind.CLIENT,
          attributes: {
            ...conversation,
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'gpt-4.1-mini',
            'gen_ai.input.messages': JSON.stringify(history),
            'gen_ai.output.messages': JSON.stringify([{ ...(reply as object), finish_reason: 'stop' }]),
          },
        }, parent)
        .end();
      agent.end();
      history.push(reply);
    }
    await provider.forceFlush();
    requests.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!));
    await provider.shutdown();
  }
  return requests;
}

/**
 * µs per span of evaluating one request's spans (as CollectorService does: every start, then
 * every end). Wall time of this one thread: a request takes a few ms, below the tick at which
 * the kernel accounts thread CPU time (`threadCpuUsage` came back in multiples of 10 ms).
 */
function evaluate(pipeline: EvaluationPipeline, request: Buffer): number {
  const spans = decodeTraceRequestProtobuf(request).spans;
  const before = performance.now();
  for (const span of spans) pipeline.noteStart(span);
  for (const span of spans) pipeline.onEnding(span, span);
  return ((performance.now() - before) * 1000) / spans.length;
}

export async function runLongConversationBench(): Promise<BenchRow[]> {
  const config = resolveConfig({}, { env: {} });
  const perTurn: number[][] = Array.from({ length: TURNS }, () => []);
  let lastInputBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const requests = await buildRequests(`long-${run}`, TURNS);
    const pipeline = new EvaluationPipeline(pipelineOptionsFromConfig(config));
    for (const request of await buildRequests(`warmup-${run}`, WARMUP_TURNS)) evaluate(pipeline, request);
    requests.forEach((request, turn) => perTurn[turn].push(evaluate(pipeline, request)));
    lastInputBytes = requests[TURNS - 1].length / CONVERSATIONS;
  }
  const at = (turn: number) => median(perTurn[turn - 1]);
  const early = median([at(2), at(3), at(4)]);
  return [
    { name: `pipeline at turns 2–4 of ${CONVERSATIONS} growing conversations (median of ${RUNS} runs)`, value: round(early), unit: 'µs/span' },
    { name: 'pipeline at turn 10', value: round(at(10)), unit: 'µs/span', baseline: round(early), ratio: at(10) / early },
    { name: 'pipeline at turn 20', value: round(at(20)), unit: 'µs/span', baseline: round(early), ratio: at(20) / early },
    // Past turn 33 the history carries more sources than a conversation keeps (100 by default).
    { name: 'pipeline at turn 30', value: round(at(30)), unit: 'µs/span', baseline: round(early), ratio: at(30) / early },
    {
      name: `pipeline at turn ${TURNS} (~${Math.round(lastInputBytes / 1024)} KB of OTLP per turn, most of it the chat input)`,
      value: round(at(TURNS)),
      unit: 'µs/span',
      baseline: round(early),
      ratio: at(TURNS) / early,
      target: '≤ 2×: the history is read once, then what each turn adds',
    },
  ];
}

const round = (value: number) => Math.round(value * 100) / 100;

if (import.meta.main) await runSuite('Long conversations: the inline pipeline as a conversation grows (chat input read incrementally)', () => runLongConversationBench());
