import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import type { SpanOperation } from '../../src/model/span-view.ts';
import { spanRecord } from './builders.ts';

function operation(name: string, attributes: Attributes): SpanOperation {
  return normalizeSpan(spanRecord({ name, attributes })).operation;
}

describe('operation', () => {
  it.each([
    ['invoke_agent', 'invoke_agent'],
    ['chat', 'chat'],
    ['text_completion', 'chat'],
    ['generate_content', 'chat'],
    ['execute_tool', 'execute_tool'],
    ['retrieval', 'retrieval'],
    ['embeddings', 'embeddings'],
    ['invoke_workflow', 'workflow'],
    ['create_agent', 'other'],
  ])('gen_ai.operation.name %s → %s', (declared, expected) => {
    expect(operation('span', { 'gen_ai.operation.name': declared })).toBe(expected);
  });

  it('reads a declared operation as it reads the same word leading the span name (one meaning per word)', () => {
    for (const word of ['invoke_agent', 'create_agent', 'chat', 'text_completion', 'generate_content', 'execute_tool', 'retrieval', 'embeddings', 'invoke_workflow']) {
      expect(operation('span', { 'gen_ai.operation.name': word }), word).toBe(operation(`${word} model`, { 'gen_ai.provider.name': 'openai' }));
    }
    for (const unknown of ['toString', '__proto__', 'Chat', 'chat ', '']) {
      expect(operation('span', { 'gen_ai.operation.name': unknown }), unknown).toBe('other');
    }
  });

  it('an explicit gen_ai.operation.name wins over the span name and other kinds', () => {
    expect(operation('execute_tool x', { 'gen_ai.operation.name': 'chat', 'openinference.span.kind': 'TOOL' })).toBe('chat');
  });

  it.each([
    ['invoke_agent concierge', 'invoke_agent'],
    ['text_completion davinci', 'chat'],
    ['execute_tool get_room_price', 'execute_tool'],
    ['embeddings text-embedding-3-small', 'embeddings'],
  ])('span name %s → %s (with a GenAI attribute present)', (name, expected) => {
    expect(operation(name, { 'gen_ai.provider.name': 'openai' })).toBe(expected);
  });

  it.each([
    ['LLM', 'chat'],
    ['TOOL', 'execute_tool'],
    ['AGENT', 'invoke_agent'],
    ['RETRIEVER', 'retrieval'],
    ['CHAIN', 'workflow'],
    ['EMBEDDING', 'embeddings'],
    ['RERANKER', 'other'],
  ])('openinference.span.kind %s → %s', (kind, expected) => {
    expect(operation('step', { 'openinference.span.kind': kind })).toBe(expected);
  });

  it.each([
    [{ 'traceloop.span.kind': 'workflow' }, 'workflow'],
    [{ 'traceloop.span.kind': 'task' }, 'workflow'],
    [{ 'traceloop.span.kind': 'agent' }, 'invoke_agent'],
    [{ 'traceloop.span.kind': 'tool' }, 'execute_tool'],
    [{ 'llm.request.type': 'chat' }, 'chat'],
    [{ 'llm.request.type': 'completion' }, 'chat'],
  ] as const)('OpenLLMetry %o → %s', (attributes, expected) => {
    expect(operation('openai.chat', attributes)).toBe(expected);
  });
});
