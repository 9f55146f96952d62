import { describe, expect, it } from 'vitest';
import { groundingSourcesOf, normalizeSpan, replyOf } from '../../src/model/index.ts';
import type { ContentRecord } from '../../src/model/index.ts';
import { spanRecord } from './builders.ts';

/** A contrib-style chat span: the operation and model, no content. */
const chatSpan = (extra: Partial<Parameters<typeof spanRecord>[0]> = {}) =>
  spanRecord({ name: 'chat gpt-4.1', kind: 3, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4.1' }, ...extra });

const at = (ms: number) => BigInt(ms) * 1_000_000n;
const record = (eventName: string, body: ContentRecord['body'], time = 0, attributes: ContentRecord['attributes'] = {}): ContentRecord => ({
  eventName,
  timeUnixNano: at(time),
  attributes: { 'event.name': eventName, ...attributes },
  body,
});

describe('content beside the span: per-message log records (semconv 1.36)', () => {
  const records = [
    record('gen_ai.system.message', { content: 'You are a salon assistant.' }),
    record('gen_ai.user.message', { content: 'How much is a haircut?' }),
    record('gen_ai.assistant.message', { tool_calls: [{ id: 'c1', type: 'function', function: { name: 'prices', arguments: '{"service":"haircut"}' } }] }),
    record('gen_ai.tool.message', { id: 'c1', content: '{"haircut": "€35.00"}' }),
    record('gen_ai.choice', { index: 0, finish_reason: 'stop', message: { content: 'A haircut is €35.00.' } }, 5),
  ];

  it('reads input, tool results and the reply in record order', () => {
    const view = normalizeSpan(chatSpan(), undefined, records);
    expect(view.problems).toEqual([]);
    expect(view.inputMessages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(view.inputMessages[2]!.parts).toEqual([{ type: 'tool_call', id: 'c1', name: 'prices', arguments: { service: 'haircut' } }]);
    expect(view.inputMessages[3]!.parts).toEqual([{ type: 'tool_call_response', id: 'c1', response: { haircut: '€35.00' } }]);
    expect(view.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'A haircut is €35.00.' }], finishReason: 'stop' }]);
    expect(replyOf(view, '')?.replyText).toBe('A haircut is €35.00.');
    const kinds = groundingSourcesOf(view).map((source) => source.kind);
    expect(kinds).toEqual(['system_instructions', 'user_message', 'tool_result']);
  });

  it('orders by time, ties in arrival order, and the choices by index', () => {
    const secondChoice = record('gen_ai.choice', { index: 1, message: { content: 'second choice' } }, 5);
    const view = normalizeSpan(chatSpan(), undefined, [secondChoice, records[4]!, ...records.slice(0, 4)]);
    expect(view.inputMessages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(view.outputMessages.map((m) => m.parts[0])).toEqual([
      { type: 'text', content: 'A haircut is €35.00.' },
      { type: 'text', content: 'second choice' },
    ]);
  });

  it('takes a body given as a JSON string, and a plain-string body as the text', () => {
    const view = normalizeSpan(chatSpan(), undefined, [
      record('gen_ai.user.message', '{"content": "as JSON"}'),
      record('gen_ai.user.message', 'plain words'),
      record('gen_ai.choice', '{"index": 0, "message": {"content": "ok"}}'),
    ]);
    expect(view.inputMessages.map((m) => m.parts)).toEqual([[{ type: 'text', content: 'as JSON' }], [{ type: 'text', content: 'plain words' }]]);
    expect(view.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'ok' }]);
  });

  it('content capture off (empty bodies): an empty reply, no problems, nothing grounded', () => {
    const view = normalizeSpan(chatSpan(), undefined, [record('gen_ai.user.message', {}), record('gen_ai.choice', { index: 0, finish_reason: 'stop', message: {} })]);
    expect(view.problems).toEqual([]);
    expect(replyOf(view, '')).toBeUndefined();
    expect(groundingSourcesOf(view)).toEqual([]);
  });

  it('the span\'s own content attribute wins: content in two places is read once', () => {
    const own = chatSpan({
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'from the span' }] }],
      },
    });
    const view = normalizeSpan(own, undefined, [record('gen_ai.user.message', { content: 'hi' }), record('gen_ai.choice', { message: { content: 'from the logs' } })]);
    expect(view.outputMessages.map((m) => m.parts[0])).toEqual([{ type: 'text', content: 'from the span' }]);
    expect(view.inputMessages.map((m) => m.parts[0])).toEqual([{ type: 'text', content: 'hi' }]);
  });

  it('malformed records become problems, never exceptions', () => {
    const view = normalizeSpan(chatSpan(), undefined, [
      record('gen_ai.user.message', '{"content": '),
      record('gen_ai.tool.message', [1, 2, 3]),
      record('gen_ai.choice', new Uint8Array([1, 2])),
      record('gen_ai.choice', { index: 0, message: { content: 'still read' } }),
    ]);
    expect(view.problems).toHaveLength(3);
    expect(view.problems.join('\n')).toMatch(/gen_ai.user.message record body: not valid JSON/);
    expect(view.outputMessages[0]!.parts).toEqual([{ type: 'text', content: 'still read' }]);
  });
});

describe('content beside the span: the operation-details event (semconv 1.38)', () => {
  it('reads input, output and system instructions, structured or as JSON strings, over several records', () => {
    const view = normalizeSpan(chatSpan(), undefined, [
      record('gen_ai.client.inference.operation.details', undefined, 0, {
        'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Refund my order?' }] }],
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Refunds up to $50 need no approval.' }]),
      }),
      record('gen_ai.client.inference.operation.details', undefined, 3, {
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'I refunded $50.00.' }], finish_reason: 'stop' }]),
      }),
    ]);
    expect(view.problems).toEqual([]);
    expect(view.systemInstructions).toEqual(['Refunds up to $50 need no approval.']);
    expect(view.inputMessages[0]!.parts).toEqual([{ type: 'text', content: 'Refund my order?' }]);
    expect(replyOf(view, '')?.replyText).toBe('I refunded $50.00.');
  });
});

describe('content in span events (older instrumentations)', () => {
  it('reads gen_ai.content.prompt / .completion as chat messages or plain text', () => {
    const span = chatSpan({
      events: [
        { name: 'gen_ai.content.prompt', timeUnixNano: at(0), attributes: { 'gen_ai.prompt': JSON.stringify([{ role: 'user', content: 'Table for two at 19:30?' }]) } },
        { name: 'gen_ai.content.completion', timeUnixNano: at(2), attributes: { 'gen_ai.completion': 'Your table is booked for 19:30.' } },
        { name: 'exception', timeUnixNano: at(3), attributes: { 'exception.message': 'not content' } },
      ],
    });
    const view = normalizeSpan(span);
    expect(view.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Table for two at 19:30?' }] }]);
    expect(replyOf(view, '')?.replyText).toBe('Your table is booked for 19:30.');
  });

  it('reads per-message events put on the span, their fields as attributes', () => {
    const span = chatSpan({
      events: [
        { name: 'gen_ai.tool.message', timeUnixNano: at(0), attributes: { id: 't1', content: '{"slot": "09:15"}' } },
        { name: 'gen_ai.choice', timeUnixNano: at(1), attributes: { 'gen_ai.event.content': JSON.stringify({ index: 0, message: { content: 'Booked for 09:15.' } }) } },
      ],
    });
    const view = normalizeSpan(span);
    expect(view.inputMessages[0]!.parts).toEqual([{ type: 'tool_call_response', id: 't1', response: { slot: '09:15' } }]);
    expect(replyOf(view, '')?.replyText).toBe('Booked for 09:15.');
  });

  it('a span with events of other names is read as before', () => {
    const span = chatSpan({ events: [{ name: 'gen_ai.evaluation.result', timeUnixNano: at(0), attributes: { 'gen_ai.evaluation.name': 'x' } }] });
    const view = normalizeSpan(span);
    expect(view.inputMessages).toEqual([]);
    expect(view.outputMessages).toEqual([]);
  });
});
