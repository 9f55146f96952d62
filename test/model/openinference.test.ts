import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { spanRecord } from './builders.ts';
import spans from './fixtures/openinference-spans.json' with { type: 'json' };

function view(name: keyof typeof spans, extra: Attributes = {}) {
  const fixture = spans[name];
  return normalizeSpan(spanRecord({ name: fixture.name, attributes: { ...(fixture.attributes as Attributes), ...extra } }));
}

describe('OpenInference', () => {
  it('reads an LLM span: flattened messages, tool calls, tool answers, tokens, model, session.id', () => {
    const llm = view('llm');
    expect(llm.problems).toEqual([]);
    expect(llm).toMatchObject({
      operation: 'chat',
      conversationId: 'sess-42',
      requestModel: 'gpt-4o-mini',
      provider: 'openai',
      usage: { inputTokens: 61, outputTokens: 17 },
    });
    // Index 10 sorts after 2: numeric order, not key order.
    expect(llm.inputMessages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(llm.inputMessages[1].parts).toEqual([{ type: 'text', content: 'Is a sea-view upgrade available?' }]);
    expect(llm.inputMessages[2].parts).toEqual([
      { type: 'tool_call', id: 'call_1', name: 'check_upgrade', arguments: { booking: 'B-778' } },
    ]);
    expect(llm.inputMessages[3].parts).toEqual([
      { type: 'tool_call_response', id: 'call_1', response: '{"upgrade":"sea view","surcharge":35}' },
    ]);
    expect(llm.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Yes, a sea-view upgrade is 35 EUR per night.' }] },
    ]);
  });

  it('reads a TOOL span: input.value / output.value are the arguments and the result', () => {
    const tool = view('tool');
    expect(tool.problems).toEqual([]);
    expect(tool.operation).toBe('execute_tool');
    expect(tool.conversationId).toBe('sess-42');
    expect(tool.toolCalls).toEqual([{ name: 'check_upgrade', arguments: { booking: 'B-778' }, result: { upgrade: 'sea view', surcharge: 35 } }]);
    expect(tool.inputMessages).toEqual([]);
  });

  it('reads a RETRIEVER span: document contents are retrieved context, the query is not a user message', () => {
    const retriever = view('retriever');
    expect(retriever.operation).toBe('retrieval');
    expect(retriever.retrievedContext).toEqual([
      'Free cancellation up to 48 hours before arrival.',
      'Late cancellations are charged one night (140 EUR).',
    ]);
    expect(retriever.inputMessages).toEqual([]);
  });

  it('reads an AGENT span: JSON input.value as the user turn, text output.value as the reply', () => {
    const agent = view('agent');
    expect(agent.operation).toBe('invoke_agent');
    expect(agent.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Can I check in at 11?' }] }]);
    expect(agent.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Early check-in from 11:00 costs 25 EUR.' }] },
    ]);
  });

  it('keeps input.value as text when no mime type says JSON', () => {
    const agent = view('agent', { 'input.mime_type': undefined });
    expect(agent.inputMessages[0].parts[0]).toEqual({ type: 'text', content: '{"input":"Can I check in at 11?","chat_history":[]}' });
  });

  it('lets GenAI attributes win over OpenInference ones on the same span', () => {
    const llm = view('llm', {
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'semconv first' }] }],
      'gen_ai.conversation.id': 'conv-1',
    });
    expect(llm.inputMessages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'semconv first' }] }]);
    expect(llm.conversationId).toBe('conv-1');
    // What GenAI left empty still comes from OpenInference.
    expect(llm.outputMessages[0].parts[0]).toMatchObject({ content: 'Yes, a sea-view upgrade is 35 EUR per night.' });
  });
});
