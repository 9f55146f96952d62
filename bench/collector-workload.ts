/**
 * The collector bench's traffic: agent turns as tracejudge's instrumentation records them
 * (invoke_agent → 2 execute_tool → chat, GenAI semconv, content on the spans, ~2 KB of
 * attributes per span, gen_ai.conversation.id on every span), encoded once as an OTLP
 * protobuf request by the official serializer. Each request sent is that template with
 * fresh trace ids and conversation ids written in place, so no two requests repeat a trace
 * (the pipeline checks each reply once per trace) and conversations run over many turns,
 * while the generator spends almost nothing per request.
 */
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';

const SPANS_PER_TURN = 4;
/** Agent turns per request the load generator sends (4 spans each). */
export const TURNS_PER_REQUEST = 50;
const TRACE_PREFIX = 'feedfacecafebeef';
const CONVERSATION_PLACEHOLDER = (turn: number) => `CONVPLACE${String(turn).padStart(6, '0')}`;
const conversationText = (n: number) => `conv-${String(n).padStart(10, '0')}`;

const SYSTEM =
  'You are the support assistant of Northwind Outfitters. Quote prices, dates and refund amounts only from tool results. ' +
  'Returns are accepted within 30 days; opened electronics carry a 15% restocking fee. Escalate to a human when the customer asks twice. ' +
  'Never promise delivery dates the carrier has not confirmed. Answer in the customer’s language, briefly, and list what you did.';

const orderResult = {
  order: 'NW-48213',
  status: 'delivered',
  placed: '2026-03-02',
  items: Array.from({ length: 6 }, (_, i) => ({
    sku: `RJ-${400 + i}-M`,
    name: ['Rain jacket, storm blue', 'Merino base layer', 'Trail socks (3 pack)', 'Dry bag 20 l', 'Head torch 300 lm', 'Trekking poles'][i],
    quantity: 1 + (i % 2),
    unitPrice: `$${(89.9 - i * 7).toFixed(2)}`,
    returnable: i !== 4,
  })),
  charges: [
    { id: 'ch_1', amount: '$89.90', at: '2026-03-20T10:01:00Z' },
    { id: 'ch_2', amount: '$89.90', at: '2026-03-20T10:01:04Z', note: 'duplicate authorization, captured' },
  ],
  shippingAddress: { city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' },
  notes: 'Customer reported a torn sleeve on delivery; photo attached to ticket 99121. Eligible for replacement or refund.',
};
const shippingResult = {
  carrier: 'ParcelFast',
  options: [
    { service: 'express', price: '$14.50', eta: 'Friday 27 March', cutoff: '15:00' },
    { service: 'standard', price: '$4.90', eta: 'Tuesday 31 March', cutoff: '18:00' },
    { service: 'locker', price: '$3.20', eta: 'Monday 30 March', cutoff: '12:00' },
  ],
  replacementStock: { sku: 'RJ-400-M', warehouse: 'Wakefield', available: 14 },
  policy: 'Replacements for damaged items ship free with standard service; express is charged at the quoted rate.',
};
const history = [
  { role: 'user', parts: [{ type: 'text', content: 'Hi, my order NW-48213 arrived with a torn sleeve on the rain jacket. Can I get a replacement in size M?' }] },
  { role: 'assistant', parts: [{ type: 'text', content: 'I am sorry about the sleeve. I can send a replacement in size M; let me check stock and shipping.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'Also, was I charged twice? I see two charges of 89.90 on my card from the 20th. And how much is express shipping?' }] },
];

function chatInput(): unknown[] {
  return [
    ...history,
    { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { order: 'NW-48213' } }, { type: 'tool_call', id: 'call_2', name: 'shipping_quote', arguments: { sku: 'RJ-400-M' } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: orderResult }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_2', response: shippingResult }] },
  ];
}

/** Every fifth turn promises an amount no tool returned, so checks fail as well as pass. */
const reply = (turn: number) =>
  `The replacement rain jacket in size M ships today from Wakefield. Express shipping is $14.50 and arrives Friday 27 March. ` +
  `You were charged twice: I have refunded the duplicate $89.90, which reaches your card within 5 business days.` +
  (turn % 5 === 0 ? ' As an apology I have added a $19.99 voucher.' : '');

export interface RequestTemplate {
  readonly body: Buffer;
  readonly spans: number;
  readonly turns: number;
  /** Per turn: offsets of the 16-byte trace id, and of the conversation id text. */
  readonly traceOffsets: readonly (readonly number[])[];
  readonly conversationOffsets: readonly (readonly number[])[];
  readonly attributeBytesPerSpan: number;
}

function offsetsOf(body: Buffer, needle: Buffer): number[] {
  const found: number[] = [];
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** One OTLP protobuf request of `turns` agent turns (4 spans each). */
export async function buildTemplate(turns: number): Promise<RequestTemplate> {
  const exporter = new InMemorySpanExporter();
  let turn = 0;
  let spanCounter = 0;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-agent', 'service.version': '2.4.1', 'deployment.environment.name': 'production' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    idGenerator: {
      generateTraceId: () => TRACE_PREFIX + turn.toString(16).padStart(16, '0'),
      generateSpanId: () => (++spanCounter).toString(16).padStart(16, '0'),
    },
  });
  const tracer = provider.getTracer('tracejudge-instrumentation', '0.1.0');
  for (turn = 0; turn < turns; turn++) {
    const conversation = { 'gen_ai.conversation.id': CONVERSATION_PLACEHOLDER(turn) };
    const agent = tracer.startSpan('invoke_agent support', {
      attributes: { ...conversation, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'gen_ai.provider.name': 'openai', 'app.vertical': 'retail', 'user.language': 'en' },
    });
    const parent = trace.setSpan(ROOT_CONTEXT, agent);
    for (const [name, result, args] of [
      ['lookup_order', orderResult, { order: 'NW-48213' }],
      ['shipping_quote', shippingResult, { sku: 'RJ-400-M' }],
    ] as const) {
      tracer
        .startSpan(`execute_tool ${name}`, {
          attributes: {
            ...conversation,
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': name,
            'gen_ai.tool.type': 'function',
            'gen_ai.tool.call.id': `call_${name}`,
            'gen_ai.tool.call.arguments': JSON.stringify(args),
            'gen_ai.tool.call.result': JSON.stringify(result),
          },
        }, parent)
        .end();
    }
    tracer
      .startSpan('chat gpt-4.1-mini', {
        kind: SpanKind.CLIENT,
        attributes: {
          ...conversation,
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4.1-mini',
          'gen_ai.response.model': 'gpt-4.1-mini-2025-04-14',
          'gen_ai.response.id': `chatcmpl-${turn}`,
          'gen_ai.usage.input_tokens': 1840,
          'gen_ai.usage.output_tokens': 96,
          'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM }]),
          'gen_ai.input.messages': JSON.stringify(chatInput()),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply(turn) }], finish_reason: 'stop' }]),
        },
      }, parent)
      .end();
    agent.end();
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  let attributeBytes = 0;
  for (const span of spans) for (const [key, value] of Object.entries(span.attributes)) attributeBytes += key.length + String(value).length;
  const traceOffsets: number[][] = [];
  const conversationOffsets: number[][] = [];
  for (let t = 0; t < turns; t++) {
    traceOffsets.push(offsetsOf(body, Buffer.from(TRACE_PREFIX + t.toString(16).padStart(16, '0'), 'hex')));
    conversationOffsets.push(offsetsOf(body, Buffer.from(CONVERSATION_PLACEHOLDER(t), 'latin1')));
    if (traceOffsets[t].length !== SPANS_PER_TURN || conversationOffsets[t].length !== SPANS_PER_TURN) {
      throw new Error(`template turn ${t}: found ${traceOffsets[t].length} trace ids and ${conversationOffsets[t].length} conversation ids, expected ${SPANS_PER_TURN}`);
    }
  }
  return { body, spans: spans.length, turns, traceOffsets, conversationOffsets, attributeBytesPerSpan: Math.round(attributeBytes / spans.length) };
}

/**
 * Request number `n`: trace ids unique to it, conversations `(n·turns + i) mod openConversations`
 * (each conversation gets a new turn every `openConversations / turns` requests).
 */
export function requestBody(template: RequestTemplate, n: number, openConversations: number): Buffer {
  const body = Buffer.from(template.body);
  for (let turn = 0; turn < template.turns; turn++) {
    for (const at of template.traceOffsets[turn]) body.writeUInt32BE(n + 1, at);
    const conversation = Buffer.from(conversationText((n * template.turns + turn) % openConversations), 'latin1');
    for (const at of template.conversationOffsets[turn]) conversation.copy(body, at);
  }
  return body;
}
