import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { SpanView } from '../../src/model/span-view.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { spanRecord } from './builders.ts';

const reply = [{ role: 'assistant', parts: [{ type: 'text', content: 'Your room is 140 EUR.' }] }];

interface Case {
  readonly name: string;
  readonly attributes: Attributes;
  readonly problem: RegExp;
  readonly then?: (view: SpanView) => void;
}

const cases: readonly Case[] = [
  {
    name: 'malformed JSON messages: noted with the parser reason, other attributes still read',
    attributes: { 'gen_ai.input.messages': '[{"role": "user", parts: []}]', 'gen_ai.output.messages': reply },
    problem: /^gen_ai\.input\.messages: not valid JSON \(.+\)$/,
    then: (view) => {
      expect(view.inputMessages).toEqual([]);
      expect(view.outputMessages).toHaveLength(1);
    },
  },
  {
    name: 'a number where messages are expected',
    attributes: { 'gen_ai.input.messages': 42 },
    problem: /^gen_ai\.input\.messages: expected a JSON string or a structured value, got number$/,
  },
  {
    name: 'bytes where messages are expected',
    attributes: { 'gen_ai.output.messages': new Uint8Array([91, 93]) },
    problem: /^gen_ai\.output\.messages: expected a JSON string or a structured value, got bytes$/,
  },
  {
    name: 'a single message map where an array is expected: read as one message',
    attributes: { 'gen_ai.output.messages': reply[0] },
    problem: /^gen_ai\.output\.messages: expected an array of messages, got a single map; read as one message$/,
    then: (view) => expect(view.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Your room is 140 EUR.' }] }]),
  },
  {
    name: 'null entries in the message list are skipped',
    attributes: { 'gen_ai.output.messages': [null, ...reply] },
    problem: /^gen_ai\.output\.messages\[0\]: expected a message map, got null; skipped$/,
    then: (view) => expect(view.outputMessages).toHaveLength(1),
  },
  {
    name: 'a message without a role',
    attributes: { 'gen_ai.input.messages': [{ parts: [{ type: 'text', content: 'hi' }] }] },
    problem: /^gen_ai\.input\.messages\[0\]: message has no role; read as "unknown"$/,
    then: (view) => expect(view.inputMessages[0].role).toBe('unknown'),
  },
  {
    name: 'parts that are a number',
    attributes: { 'gen_ai.input.messages': [{ role: 'user', parts: 7 }] },
    problem: /^gen_ai\.input\.messages\[0\]\.parts: expected an array of parts, got number; ignored$/,
  },
  {
    name: 'a null part and a part without a type',
    attributes: { 'gen_ai.input.messages': [{ role: 'user', parts: [null, { content: 'untyped' }] }] },
    problem: /^gen_ai\.input\.messages\[0\]\.parts\[0\]: expected a part map, got null; skipped$/,
    then: (view) => {
      expect(view.problems).toContain('gen_ai.input.messages[0].parts[1]: part has no type; read as text');
      expect(view.inputMessages[0].parts).toEqual([{ type: 'text', content: 'untyped' }]);
    },
  },
  {
    name: 'a text part whose content is a number',
    attributes: { 'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 140 }] }] },
    problem: /^gen_ai\.output\.messages\[0\]\.parts\[0\]\.content: expected a string, got number 140; read as "140"$/,
    then: (view) => expect(view.outputMessages[0].parts).toEqual([{ type: 'text', content: '140' }]),
  },
  {
    name: 'tool arguments that look like JSON but are not: kept as text',
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't', 'gen_ai.tool.call.arguments': '{"room": double}' },
    problem: /^gen_ai\.tool\.call\.arguments: not valid JSON/,
    then: (view) => expect(view.toolCalls[0].arguments).toBe('{"room": double}'),
  },
  {
    name: 'system instructions that look like JSON but are not: kept as the instruction text',
    attributes: { 'gen_ai.system_instructions': '[Be polite' },
    problem: /^gen_ai\.system_instructions: not valid JSON/,
    then: (view) => expect(view.systemInstructions).toEqual(['[Be polite']),
  },
  {
    name: 'a token count sent as a decimal string',
    attributes: { 'gen_ai.usage.input_tokens': '12' },
    problem: /^gen_ai\.usage\.input_tokens: expected an integer, got string "12"; read as 12$/,
    then: (view) => expect(view.usage.inputTokens).toBe(12),
  },
  {
    name: 'a negative token count',
    attributes: { 'gen_ai.usage.output_tokens': -3 },
    problem: /^gen_ai\.usage\.output_tokens: expected a non-negative integer, got number -3; ignored$/,
    then: (view) => expect(view.usage.outputTokens).toBeUndefined(),
  },
  {
    name: 'a map where the model name is expected',
    attributes: { 'gen_ai.request.model': { name: 'gpt' } },
    problem: /^gen_ai\.request\.model: expected a string, got map; ignored$/,
  },
  {
    name: 'a number as conversation id: used as its decimal text',
    attributes: { 'gen_ai.conversation.id': 981 },
    problem: /^gen_ai\.conversation\.id: expected a string, got number 981; read as "981"$/,
    then: (view) => expect(view.conversationId).toBe('981'),
  },
  {
    name: 'an outcome flag that is not a boolean',
    attributes: { 'app.escalated': 'yes' },
    problem: /^app\.escalated: expected a boolean, got string "yes"; ignored$/,
    then: (view) => expect(view.outcome.escalated).toBeUndefined(),
  },
  {
    name: 'OpenInference JSON input.value that is not JSON: kept as text',
    attributes: { 'openinference.span.kind': 'AGENT', 'input.value': '{broken', 'input.mime_type': 'application/json' },
    problem: /^input\.value: not valid JSON/,
    then: (view) => expect(view.inputMessages[0].parts).toEqual([{ type: 'text', content: '{broken' }]),
  },
  {
    name: 'OpenLLMetry entity output that is not JSON: kept as text',
    attributes: { 'traceloop.span.kind': 'workflow', 'traceloop.entity.output': '{"outputs": ' },
    problem: /^traceloop\.entity\.output: not valid JSON/,
    then: (view) => expect(view.outputMessages[0].parts).toEqual([{ type: 'text', content: '{"outputs": ' }]),
  },
  {
    name: 'a non-string gen_ai.operation.name',
    attributes: { 'gen_ai.operation.name': 3, 'gen_ai.output.messages': reply },
    problem: /^gen_ai\.operation\.name: expected a string, got number; ignored$/,
  },
];

describe('malformed input', () => {
  it.each(cases)('$name', ({ attributes, problem, then }) => {
    let view: SpanView | undefined;
    expect(() => (view = normalizeSpan(spanRecord({ attributes })))).not.toThrow();
    expect(view!.problems.some((note) => problem.test(note)), view!.problems.join(' | ')).toBe(true);
    then?.(view!);
  });

  it('does not parse attributes past the size limit, and says so', () => {
    const huge = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'x'.repeat(300 * 1024) }] }]);
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.input.messages': huge, 'gen_ai.output.messages': reply } }));
    expect(view.problems).toEqual([`gen_ai.input.messages: ${huge.length} characters exceeds the 262144-character parse limit; not read`]);
    expect(view.inputMessages).toEqual([]);
    expect(view.outputMessages).toHaveLength(1);
  });

  it('takes the size limit from the options', () => {
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.output.messages': JSON.stringify(reply) } }), { maxAttributeChars: 10 });
    expect(view.problems[0]).toMatch(/exceeds the 10-character parse limit/);
  });

  it('reads at most maxItems messages, and says so', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ role: 'user', parts: [{ type: 'text', content: `m${i}` }] }));
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.input.messages': many } }), { maxItems: 2 });
    expect(view.inputMessages).toHaveLength(2);
    expect(view.problems).toEqual(['gen_ai.input.messages: 5 messages, read the first 2']);
  });

  it.each(['[{"content": "my card is 4111 1111", oops}]', 'my card is 4111 1111'])(
    'keeps message content out of parse-error notes (it may be personal data): %s',
    (text) => {
      const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.input.messages': text } }));
      expect(view.problems).toHaveLength(1);
      expect(view.problems[0]).toMatch(/^gen_ai\.input\.messages: not valid JSON/);
      expect(view.problems[0]).not.toContain('4111');
    },
  );

  it('reads an empty string as no content, not as bad JSON', () => {
    const view = normalizeSpan(spanRecord({ attributes: { 'gen_ai.input.messages': '', 'gen_ai.operation.name': 'chat' } }));
    expect(view.problems).toEqual([]);
    expect(view.inputMessages).toEqual([]);
  });

  it('turns an exception from inside the attributes into a note, not a throw', () => {
    const attributes: Record<string, unknown> = { 'gen_ai.operation.name': 'chat' };
    Object.defineProperty(attributes, 'gen_ai.input.messages', {
      enumerable: true,
      get() {
        throw new Error('attribute getter exploded');
      },
    });
    const view = normalizeSpan(spanRecord({ attributes: attributes as Attributes }));
    expect(view.problems).toEqual(['normalization failed: attribute getter exploded']);
    expect(view.inputMessages).toEqual([]);
  });
});
