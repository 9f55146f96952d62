/**
 * The agent workload of the processor benchmarks: turns as GenAI instrumentation
 * records them — invoke_agent + 2 execute_tool + chat, content on the spans
 * (~1–2 KB of text per span), five turns per conversation. Content is built per
 * turn, as an instrumentation would, so no two turns share strings.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';

export const SPANS_PER_TURN = 4;
const TURNS_PER_CONVERSATION = 5;

export const SYSTEM = 'You are the support assistant of Northwind Outfitters. Quote prices, dates and refund amounts only from tool results. Returns are accepted within 30 days; opened electronics carry a 15% restocking fee. Escalate to a human when the customer asks twice.';
export const USER = [
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

export function replacementTool(i: number): string {
  return JSON.stringify({
    case_id: `CS-${20_000 + i}`,
    replacement: { sku: 'JK-221', size: 'M', in_stock: true, warehouse: 'Leipzig' },
    express_shipping: { price: 9.95, currency: 'EUR', delivery_by: '2026-11-27' },
    refund: { duplicate_charge: 89.9, status: 'approved', eta_days: 5, method: 'card' },
  });
}

export function replyText(i: number): string {
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
