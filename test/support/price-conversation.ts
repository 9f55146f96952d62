import type { RecordedRequest, ScriptedReply } from './openai-test-server.ts';

/**
 * The scripted two-turn clinic conversation the framework tests run: turn 1 calls `get_price`
 * and answers with its price, slot and refund; turn 2 is text only and repeats those (grounded
 * by turn 1's tool result, if the turns are joined) beside an invented price, time and refund.
 */
export const PRICE_TOOL_RESULT = { service: 'cleaning', price_eur: 42, free_slot: '10:15', cancellation_refund_eur: 15 };
export const TURN1_REPLY = 'A dental cleaning costs €42.00 and the next free slot is at 10:15. If you cancel, we refund €15.00.';
export const TURN2_REPLY = 'Yes: the cleaning is €42.00 at 10:15. A filling is €95.00, I can also see you at 16:30, and we will refund €20.00 if you cancel.';

export type PriceAnswer = 'call' | 'turn1' | 'turn2';

/** The model's answer, from what it was sent: first a tool call, then text; turn 2 answers at once. */
export function priceAnswerFor(request: RecordedRequest): PriceAnswer {
  const text = JSON.stringify(request.body);
  if (text.includes('filling')) return 'turn2';
  return text.includes('price_eur') ? 'turn1' : 'call';
}

/** A Chat Completions answer (JSON, or SSE chunks with a final usage chunk when the request streams). */
export function priceChatReply(request: RecordedRequest, idPrefix: string): ScriptedReply {
  const answer = priceAnswerFor(request);
  const id = `${idPrefix}${answer}`;
  const usage = { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 };
  const finish = answer === 'call' ? 'tool_calls' : 'stop';
  const message =
    answer === 'call'
      ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_price', arguments: '{"service":"cleaning"}' } }] }
      : { role: 'assistant', content: answer === 'turn1' ? TURN1_REPLY : TURN2_REPLY };
  if (request.body.stream === true) {
    const chunk = (delta: unknown, finishReason: string | null, choices = true) => ({
      id,
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'test-model',
      choices: choices ? [{ index: 0, delta, finish_reason: finishReason }] : [],
      ...(!choices && { usage }),
    });
    const delta = message.tool_calls ? { role: 'assistant', tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) } : { role: 'assistant', content: message.content };
    return { sse: [chunk(delta, null), chunk({}, finish), chunk({}, null, false)] };
  }
  return { json: { id, object: 'chat.completion', created: 1_700_000_000, model: 'test-model', choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage } };
}
