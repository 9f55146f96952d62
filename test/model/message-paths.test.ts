import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { asJsonStrings, spanRecord } from './builders.ts';

/**
 * Problem notes name the exact place of what could not be read. The readers spell a path
 * out only when they write a note, so each depth is checked here: message, its fields,
 * its parts list, a part, a part's fields, OpenAI `tool_calls`, system instructions.
 */
const text = (content: string) => ({ type: 'text', content });
const user = (content: string) => ({ role: 'user', parts: [text(content)] });

/** The problems of a chat span, read both as structured values and as JSON strings (SDK 2.x). */
function problemsOf(attributes: Attributes, maxItems?: number): string[] {
  const structured = normalizeSpan(spanRecord({ name: 'chat m', attributes }), { maxItems }).problems;
  const asJson = normalizeSpan(spanRecord({ name: 'chat m', attributes: asJsonStrings(attributes) }), { maxItems }).problems;
  expect(asJson).toEqual(structured);
  return [...structured];
}

describe('problem notes name the exact path', () => {
  it('a malformed part, by message and part index', () => {
    const messages = [user('a'), user('b'), { role: 'user', parts: [7, text('ok')] }];
    expect(problemsOf({ 'gen_ai.input.messages': messages })).toEqual([
      'gen_ai.input.messages[2].parts[0]: expected a part map, got number; skipped',
    ]);
  });

  it('parts at several depths of one list, and several lists', () => {
    const input = [
      user('a'),
      { role: 'user', parts: [text('x'), null, { content: 'no type' }, { type: 'text' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: true, arguments: { q: 1 } }] },
    ];
    const output = [{ role: 'assistant', parts: [text('ok'), { type: 'reasoning', content: 12 }, { type: 'tool_call_response', id: 4, response: 'r' }] }];
    expect(problemsOf({ 'gen_ai.input.messages': input, 'gen_ai.output.messages': output })).toEqual([
      'gen_ai.input.messages[1].parts[1]: expected a part map, got null; skipped',
      'gen_ai.input.messages[1].parts[2]: part has no type; read as text',
      'gen_ai.input.messages[1].parts[3]: text part has no content; skipped',
      'gen_ai.input.messages[2].parts[0].id: expected a string, got boolean true; read as "true"',
      'gen_ai.input.messages[2].parts[0]: tool_call has no name',
      'gen_ai.output.messages[0].parts[1].content: expected a string, got number 12; read as "12"',
      'gen_ai.output.messages[0].parts[2].id: expected a string, got number 4; read as "4"',
    ]);
  });

  it('message fields and the parts list itself', () => {
    const input = [
      { role: 5, parts: [text('a')] },
      { parts: [text('b')] },
      { role: 'user', parts: text('one map') },
      { role: 'user', parts: 3 },
      42,
    ];
    expect(problemsOf({ 'gen_ai.input.messages': input })).toEqual([
      'gen_ai.input.messages[0].role: expected a string, got number 5; read as "5"',
      'gen_ai.input.messages[1]: message has no role; read as "unknown"',
      'gen_ai.input.messages[2].parts: expected an array of parts, got a single map; read as one part',
      'gen_ai.input.messages[3].parts: expected an array of parts, got number; ignored',
      'gen_ai.input.messages[4]: expected a message map, got number; skipped',
    ]);
  });

  it('a part list cut at the item limit', () => {
    const input = [user('a'), { role: 'user', parts: [text('1'), text('2'), text('3')] }];
    expect(problemsOf({ 'gen_ai.input.messages': input }, 2)).toEqual(['gen_ai.input.messages[1].parts: 3 parts, read the first 2']);
  });

  it('tool call arguments that look like JSON but are not', () => {
    const input = [user('a'), { role: 'assistant', parts: [text('x'), { type: 'tool_call', name: 'f', arguments: '{"q": ' }] }];
    const view = normalizeSpan(spanRecord({ name: 'chat m', attributes: { 'gen_ai.input.messages': input } }));
    expect(view.problems).toEqual([expect.stringMatching(/^gen_ai\.input\.messages\[1\]\.parts\[1\]\.arguments: not valid JSON \(.+\)$/)]);
    expect(view.inputMessages[1].parts[1]).toEqual({ type: 'tool_call', name: 'f', arguments: '{"q": ' });
  });

  it('OpenAI-style content parts and tool_calls', () => {
    const input = [
      { role: 'user', content: [text('a'), { type: 'text', text: 4 }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 3, arguments: '[1,' } }, 'x', { id: 9, function: { name: 'g' } }],
      },
    ];
    const view = normalizeSpan(spanRecord({ name: 'chat m', attributes: { 'gen_ai.input.messages': input } }));
    expect(view.problems).toEqual([
      'gen_ai.input.messages[0].content[1].content: expected a string, got number 4; read as "4"',
      'gen_ai.input.messages[1].tool_calls[0].function.name: expected a string, got number 3; read as "3"',
      expect.stringMatching(/^gen_ai\.input\.messages\[1\]\.tool_calls\[0\]\.function\.arguments: not valid JSON \(.+\)$/),
      'gen_ai.input.messages[1].tool_calls[1]: expected a tool call map, got string; skipped',
      'gen_ai.input.messages[1].tool_calls[2].id: expected a string, got number 9; read as "9"',
    ]);
    expect(view.inputMessages[1].parts).toEqual([
      { type: 'tool_call', id: 'c1', name: '3', arguments: '[1,' },
      { type: 'tool_call', id: '9', name: 'g' },
    ]);
  });

  it('a message of a string[] (one JSON message per element) that is not JSON', () => {
    const view = normalizeSpan(spanRecord({ name: 'chat m', attributes: { 'gen_ai.input.messages': [JSON.stringify(user('a')), '{"role":'] } }));
    expect(view.problems).toEqual([expect.stringMatching(/^gen_ai\.input\.messages\[1\]: not valid JSON \(.+\)$/)]);
    expect(view.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'a' }] }]);
  });

  it('system instructions: parts indexed under the attribute name itself', () => {
    expect(problemsOf({ 'gen_ai.system_instructions': [text('Be brief.'), 8, { type: 'text', content: false }] })).toEqual([
      'gen_ai.system_instructions[1]: expected a part map, got number; skipped',
      'gen_ai.system_instructions[2].content: expected a string, got boolean false; read as "false"',
    ]);
  });

  it('OpenLLMetry multimodal content: parts under the indexed attribute', () => {
    const view = normalizeSpan(
      spanRecord({
        name: 'chat m',
        attributes: { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': JSON.stringify([text('look'), { type: 'image', url: 'u' }, 2]) },
      }),
    );
    expect(view.problems).toEqual(['gen_ai.prompt.0.content[2]: expected a part map, got number; skipped']);
    expect(view.inputMessages[0].parts).toEqual([
      { type: 'text', content: 'look' },
      { type: 'other', originalType: 'image', raw: { type: 'image', url: 'u' } },
    ]);
  });

  it('messages carry name and finish_reason only when they are strings, in the message', () => {
    const output = [
      { role: 'assistant', name: 'helper', parts: [text('a')], finish_reason: 'stop' },
      { role: 'assistant', name: 7, parts: [text('b')], finish_reason: null },
    ];
    const view = normalizeSpan(spanRecord({ name: 'chat m', attributes: { 'gen_ai.output.messages': output } }));
    expect(view.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'a' }], name: 'helper', finishReason: 'stop' },
      { role: 'assistant', parts: [{ type: 'text', content: 'b' }] },
    ]);
    expect(Object.keys(view.outputMessages[0])).toEqual(['role', 'parts', 'name', 'finishReason']);
    expect(Object.keys(view.outputMessages[1])).toEqual(['role', 'parts']);
  });
});
