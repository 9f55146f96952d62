import { describe, expect, it } from 'vitest';
import { groundingSourcesOf } from '../../src/model/grounding-sources.ts';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { SPAN_ID, spanRecord, TRACE_ID } from './builders.ts';
import chat from './fixtures/genai-chat.json' with { type: 'json' };
import openinference from './fixtures/openinference-spans.json' with { type: 'json' };

const sourcesOf = (name: string, attributes: Attributes) => groundingSourcesOf(normalizeSpan(spanRecord({ name, attributes })));

describe('groundingSourcesOf', () => {
  it('takes system instructions, user messages and tool answers from a chat span, never assistant text', () => {
    const sources = sourcesOf(chat.name, chat.attributes as unknown as Attributes);
    expect(sources.map(({ kind, text }) => ({ kind, text }))).toEqual([
      { kind: 'system_instructions', text: 'You are the booking assistant of Hotel Aurora.' },
      { kind: 'system_instructions', text: 'Breakfast costs 18 EUR per person.' },
      { kind: 'user_message', text: 'How much is a double room for 3 nights?' },
      { kind: 'tool_result', text: '{"price_per_night":140,"currency":"EUR"}' },
    ]);
    const texts = sources.map((s) => s.text).join('\n');
    expect(texts).not.toContain('420 EUR');
    expect(texts).not.toContain('Look up the nightly rate');
  });

  it('leaves out earlier assistant turns in the chat history: the agent cannot vouch for itself', () => {
    const history = [
      { role: 'user', parts: [{ type: 'text', content: 'Any rooms left for Friday?' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Yes, doubles from 99 EUR.' }] },
      { role: 'user', content: 'Book one.' },
      { role: 'assistant', content: 'Booked at 99 EUR.' },
    ];
    const sources = sourcesOf('chat gpt', { 'gen_ai.input.messages': history });
    expect(sources.map(({ kind, text }) => ({ kind, text }))).toEqual([
      { kind: 'user_message', text: 'Any rooms left for Friday?' },
      { kind: 'user_message', text: 'Book one.' },
    ]);
  });

  it('says where each source was seen', () => {
    const [first] = sourcesOf(chat.name, chat.attributes as unknown as Attributes);
    expect(first).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
  });

  it('takes the result of an execute_tool span, not its arguments', () => {
    const sources = sourcesOf('execute_tool get_room_price', {
      'gen_ai.tool.name': 'get_room_price',
      'gen_ai.tool.call.arguments': { room: 'double', guests: 2 },
      'gen_ai.tool.call.result': { price_per_night: 140 },
    });
    expect(sources.map(({ kind, text }) => ({ kind, text }))).toEqual([{ kind: 'tool_result', text: '{"price_per_night":140}' }]);
  });

  it('grounds a JSON string tool result on the text the tool returned (no re-serialization), escapes spelled out', () => {
    const asGiven = sourcesOf('execute_tool get_room_price', { 'gen_ai.tool.call.result': '{"price_per_night": 140, "currency": "EUR"}' });
    expect(asGiven.map((s) => s.text)).toEqual(['{"price_per_night": 140, "currency": "EUR"}']);
    const escaped = sourcesOf('execute_tool get_room_price', { 'gen_ai.tool.call.result': '{"price": "\\u20ac140"}' });
    expect(escaped.map((s) => s.text)).toEqual(['{"price":"€140"}']);
    const view = normalizeSpan(spanRecord({ name: 'execute_tool x', attributes: { 'gen_ai.tool.call.result': '{"price_per_night": 140}' } }));
    expect(view.toolCalls[0].result).toEqual({ price_per_night: 140 });
  });

  it('takes document contents from a retriever span', () => {
    const sources = sourcesOf(openinference.retriever.name, openinference.retriever.attributes);
    expect(sources.map((s) => s.kind)).toEqual(['retrieved_context', 'retrieved_context']);
    expect(sources[1].text).toBe('Late cancellations are charged one night (140 EUR).');
  });

  it('takes OpenInference system and tool messages, not the assistant reply', () => {
    const sources = sourcesOf(openinference.llm.name, openinference.llm.attributes);
    expect(sources.map(({ kind, text }) => ({ kind, text }))).toEqual([
      { kind: 'system_instructions', text: 'Quote prices from the rate card only.' },
      { kind: 'user_message', text: 'Is a sea-view upgrade available?' },
      { kind: 'tool_result', text: '{"upgrade":"sea view","surcharge":35}' },
    ]);
  });

  it('reads tool answers carried in a user message (Anthropic-style tool_result turn)', () => {
    const messages = [{ role: 'user', parts: [{ type: 'tool_call_response', id: 'x', response: 'Suite: 260 EUR' }] }];
    const sources = sourcesOf('chat claude', { 'gen_ai.input.messages': messages });
    expect(sources.map(({ kind, text }) => ({ kind, text }))).toEqual([{ kind: 'tool_result', text: 'Suite: 260 EUR' }]);
  });

  it('returns nothing for a span without content', () => {
    expect(sourcesOf('GET /', { 'http.route': '/' })).toEqual([]);
  });
});
