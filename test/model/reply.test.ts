import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { replyOf } from '../../src/model/reply.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { SPAN_ID, spanRecord, TRACE_ID } from './builders.ts';
import chat from './fixtures/genai-chat.json' with { type: 'json' };
import openinference from './fixtures/openinference-spans.json' with { type: 'json' };

const viewOf = (name: string, attributes: Attributes) => normalizeSpan(spanRecord({ name, attributes }));

describe('replyOf', () => {
  it('turns a chat span with assistant text into a Turn', () => {
    const turn = replyOf(viewOf(chat.name, chat.attributes as unknown as Attributes), 'conv-7');
    expect(turn).toMatchObject({
      conversationId: 'conv-7',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      replyText: 'A double room is 140 EUR per night, so 420 EUR for 3 nights.',
      toolCalls: [],
    });
    expect(turn!.reply).toHaveLength(1);
  });

  it('turns an invoke_agent span into a Turn, joining several assistant messages', () => {
    const output = [
      { role: 'assistant', parts: [{ type: 'text', content: 'Booked.' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Total 280 EUR.' }] },
    ];
    const turn = replyOf(viewOf('invoke_agent concierge', { 'gen_ai.output.messages': output }), 'c');
    expect(turn?.replyText).toBe('Booked.\nTotal 280 EUR.');
    expect(turn?.reply).toHaveLength(2);
  });

  it('reads the reply of an OpenInference AGENT span', () => {
    expect(replyOf(viewOf(openinference.agent.name, openinference.agent.attributes), 's')?.replyText).toBe(
      'Early check-in from 11:00 costs 25 EUR.',
    );
  });

  it('carries the tool calls the reply requested alongside its text', () => {
    const output = [
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Let me check.' },
          { type: 'tool_call', id: 'c1', name: 'availability', arguments: { date: '2026-05-01' } },
        ],
      },
    ];
    const turn = replyOf(viewOf('chat gpt', { 'gen_ai.output.messages': output }), 'c');
    expect(turn?.toolCalls).toEqual([{ id: 'c1', name: 'availability', arguments: { date: '2026-05-01' } }]);
  });

  it('is undefined when the output is only tool calls', () => {
    const output = [{ role: 'assistant', parts: [{ type: 'tool_call', name: 'availability' }] }];
    expect(replyOf(viewOf('chat gpt', { 'gen_ai.output.messages': output }), 'c')).toBeUndefined();
  });

  it('is undefined for spans other than agent and chat, even with assistant-looking output', () => {
    expect(replyOf(viewOf(openinference.tool.name, openinference.tool.attributes), 'c')).toBeUndefined();
    const workflowOutput = { 'traceloop.span.kind': 'workflow', 'traceloop.entity.output': 'Total 280 EUR.' };
    expect(replyOf(viewOf('wf', workflowOutput), 'c')).toBeUndefined();
  });

  it('ignores non-assistant output messages', () => {
    const output = [{ role: 'tool', parts: [{ type: 'text', content: '280' }] }];
    expect(replyOf(viewOf('chat gpt', { 'gen_ai.output.messages': output }), 'c')).toBeUndefined();
  });
});
