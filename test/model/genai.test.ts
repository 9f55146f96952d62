import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { asJsonStrings, spanRecord } from './builders.ts';
import chat from './fixtures/genai-chat.json' with { type: 'json' };

const structured = chat.attributes as unknown as Attributes;

describe('GenAI semconv', () => {
  it('reads the structured form (SDK 3.x AnyValue maps and arrays)', () => {
    const view = normalizeSpan(spanRecord({ name: chat.name, attributes: structured }));
    expect(view.problems).toEqual([]);
    expect(view.operation).toBe('chat');
    expect(view.conversationId).toBe('conv_5j66UpCpwteGg4YSxUnt7lPY');
    expect(view.provider).toBe('openai');
    expect(view.requestModel).toBe('gpt-4.1-mini');
    expect(view.responseModel).toBe('gpt-4.1-mini-2025-04-14');
    expect(view.responseId).toBe('chatcmpl-8Zq2');
    expect(view.usage).toEqual({ inputTokens: 97, outputTokens: 52 });
    expect(view.systemInstructions).toEqual([
      'You are the booking assistant of Hotel Aurora.',
      'Breakfast costs 18 EUR per person.',
    ]);
    expect(view.inputMessages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(view.inputMessages[1].parts).toEqual([
      { type: 'reasoning', content: 'Look up the nightly rate first.' },
      { type: 'tool_call', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: 'get_room_price', arguments: { room: 'double' } },
    ]);
    expect(view.inputMessages[2].parts).toEqual([
      { type: 'tool_call_response', id: 'call_VSPygqKTWdrhaFErNvMV18Yl', response: { price_per_night: 140, currency: 'EUR' } },
    ]);
    expect(view.outputMessages).toHaveLength(1);
    expect(view.outputMessages[0].finishReason).toBe('stop');
    expect(view.outputMessages[0].parts[0]).toEqual({
      type: 'text',
      content: 'A double room is 140 EUR per night, so 420 EUR for 3 nights.',
    });
    // Unknown part types are kept, not interpreted.
    expect(view.outputMessages[0].parts[1]).toMatchObject({ type: 'other', originalType: 'uri' });
  });

  it('reads the JSON-string form (SDK 2.x) into the identical view', () => {
    const fromStructured = normalizeSpan(spanRecord({ name: chat.name, attributes: structured }));
    const jsonAttributes = asJsonStrings(structured);
    expect(typeof jsonAttributes['gen_ai.input.messages']).toBe('string');
    const fromJson = normalizeSpan(spanRecord({ name: chat.name, attributes: jsonAttributes }));
    const { span: _a, ...a } = fromStructured;
    const { span: _b, ...b } = fromJson;
    expect(b).toEqual(a);
  });

  it('reads a string[] of JSON messages, one message per element', () => {
    const messages = chat.attributes['gen_ai.input.messages'].map((m) => JSON.stringify(m));
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': messages } }));
    expect(view.problems).toEqual([]);
    expect(view.inputMessages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('accepts tool_call_response with `response` as well as `result`', () => {
    for (const key of ['response', 'result']) {
      const messages = [{ role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', [key]: 'rainy, 57°F' }] }];
      const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.input.messages': JSON.stringify(messages) } }));
      expect(view.inputMessages[0].parts, key).toEqual([{ type: 'tool_call_response', id: 'c1', response: 'rainy, 57°F' }]);
    }
  });

  it('reads the pre-1.37 names: gen_ai.system and prompt/completion tokens', () => {
    const view = normalizeSpan(
      spanRecord({
        name: 'chat gpt-4',
        attributes: { 'gen_ai.system': 'openai', 'gen_ai.usage.prompt_tokens': 12, 'gen_ai.usage.completion_tokens': 7 },
      }),
    );
    expect(view).toMatchObject({ operation: 'chat', provider: 'openai', usage: { inputTokens: 12, outputTokens: 7 } });
  });

  it('prefers the current names when both spellings are present', () => {
    const view = normalizeSpan(
      spanRecord({
        attributes: {
          'gen_ai.provider.name': 'azure.ai.openai',
          'gen_ai.system': 'openai',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.prompt_tokens': 1,
        },
      }),
    );
    expect(view.provider).toBe('azure.ai.openai');
    expect(view.usage.inputTokens).toBe(100);
  });

  it('reads an execute_tool span as one call, decoding JSON arguments and result best-effort', () => {
    const view = normalizeSpan(
      spanRecord({
        name: 'execute_tool get_room_price',
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'get_room_price',
          'gen_ai.tool.call.id': 'call_1',
          'gen_ai.tool.call.arguments': '{"room":"double"}',
          'gen_ai.tool.call.result': 'Double room: 140 EUR per night',
        },
      }),
    );
    expect(view.problems).toEqual([]);
    expect(view.toolCalls).toEqual([
      { id: 'call_1', name: 'get_room_price', arguments: { room: 'double' }, result: 'Double room: 140 EUR per night' },
    ]);
  });

  it('takes the tool name from the span name when gen_ai.tool.name is missing', () => {
    const view = normalizeSpan(
      spanRecord({ name: 'execute_tool lookup_booking', attributes: { 'gen_ai.tool.call.result': { status: 'confirmed' } } }),
    );
    expect(view.operation).toBe('execute_tool');
    expect(view.toolCalls).toEqual([{ name: 'lookup_booking', result: { status: 'confirmed' } }]);
  });

  it('lists the tool calls a chat span requested', () => {
    const output = [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c9', name: 'get_room_price', arguments: { room: 'suite' } }] }];
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.output.messages': output } }));
    expect(view.toolCalls).toEqual([{ id: 'c9', name: 'get_room_price', arguments: { room: 'suite' } }]);
  });

  it('tolerates OpenAI-style messages: string content, tool_calls and role tool', () => {
    const messages = [
      { role: 'system', content: 'Checkout is at 11:00.' },
      { role: 'user', content: [{ type: 'text', text: 'When is checkout?' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'hours', arguments: '{"what":"checkout"}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'Checkout 11:00' },
    ];
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.input.messages': JSON.stringify(messages) } }));
    expect(view.problems).toEqual([]);
    expect(view.inputMessages.map((m) => m.parts)).toEqual([
      [{ type: 'text', content: 'Checkout is at 11:00.' }],
      [{ type: 'text', content: 'When is checkout?' }],
      [{ type: 'tool_call', id: 't1', name: 'hours', arguments: { what: 'checkout' } }],
      [{ type: 'tool_call_response', id: 't1', response: 'Checkout 11:00' }],
    ]);
  });

  it('reads system instructions as plain text from older writers', () => {
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.system_instructions': 'Pets stay free.' } }));
    expect(view.systemInstructions).toEqual(['Pets stay free.']);
    expect(view.problems).toEqual([]);
  });

  it('reads gen_ai.retrieval.documents content as retrieved context', () => {
    const documents = [{ id: 'd1', score: 0.9, content: 'Pool opens at 7:00.' }, { id: 'd2', score: 0.5 }];
    const view = normalizeSpan(
      spanRecord({ attributes: { 'gen_ai.operation.name': 'retrieval', 'gen_ai.retrieval.documents': documents } }),
    );
    expect(view.operation).toBe('retrieval');
    expect(view.retrievedContext).toEqual(['Pool opens at 7:00.']);
  });
});
