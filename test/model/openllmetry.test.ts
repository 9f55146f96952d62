import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { spanRecord } from './builders.ts';
import spans from './fixtures/openllmetry-spans.json' with { type: 'json' };

function view(name: keyof typeof spans, extra: Attributes = {}) {
  const fixture = spans[name];
  return normalizeSpan(spanRecord({ name: fixture.name, attributes: { ...(fixture.attributes as Attributes), ...extra } }));
}

describe('OpenLLMetry', () => {
  it('reads gen_ai.prompt.{i} / gen_ai.completion.{i}, old token names and the association session_id', () => {
    const chat = view('chat');
    expect(chat.problems).toEqual([]);
    expect(chat).toMatchObject({
      operation: 'chat',
      conversationId: 'chat-981',
      provider: 'openai',
      requestModel: 'gpt-3.5-turbo',
      usage: { inputTokens: 40, outputTokens: 12 },
    });
    expect(chat.inputMessages).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Parking costs 15 EUR per day.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Do you have parking?' }] },
    ]);
    expect(chat.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Yes, parking is 15 EUR per day.' }], finishReason: 'stop' },
    ]);
  });

  it('reads completion tool calls and tool-role prompts', () => {
    const chat = view('chat', {
      'gen_ai.prompt.2.role': 'tool',
      'gen_ai.prompt.2.tool_call_id': 'p1',
      'gen_ai.prompt.2.content': 'garage: 15 EUR/day',
      'gen_ai.completion.0.content': undefined,
      'gen_ai.completion.0.tool_calls.0.id': 'p2',
      'gen_ai.completion.0.tool_calls.0.name': 'reserve_parking',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"days":2}',
    });
    expect(chat.inputMessages[2].parts).toEqual([{ type: 'tool_call_response', id: 'p1', response: 'garage: 15 EUR/day' }]);
    expect(chat.toolCalls).toEqual([{ id: 'p2', name: 'reserve_parking', arguments: { days: 2 } }]);
  });

  it('reads a workflow span: text is extracted from {"inputs": …} / {"outputs": …}', () => {
    const workflow = view('workflow');
    expect(workflow.problems).toEqual([]);
    expect(workflow.operation).toBe('workflow');
    expect(workflow.conversationId).toBe('chat-981');
    expect(workflow.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Is the spa open on Sundays?' }] }]);
    expect(workflow.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'The spa is open on Sundays from 9:00 to 18:00.' }] },
    ]);
  });

  it('reads a tool span: entity input / output are the arguments and the result', () => {
    const tool = view('tool');
    expect(tool.operation).toBe('execute_tool');
    expect(tool.toolCalls).toEqual([{ name: 'spa_hours', arguments: { args: ['sunday'], kwargs: {} }, result: { open: '9:00', close: '18:00' } }]);
  });

  it('maps agent spans to invoke_agent and takes the entity name as the agent name', () => {
    const agent = normalizeSpan(
      spanRecord({
        attributes: { 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'concierge', 'traceloop.entity.output': 'Done: 2 nights booked.' },
      }),
    );
    expect(agent).toMatchObject({ operation: 'invoke_agent', agentName: 'concierge' });
    expect(agent.outputMessages[0].parts).toEqual([{ type: 'text', content: 'Done: 2 nights booked.' }]);
  });
});
