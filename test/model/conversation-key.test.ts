import { describe, expect, it } from 'vitest';
import { resolveConversationKey } from '../../src/model/conversation-key.ts';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes } from '../../src/model/span-record.ts';
import { spanRecord, TRACE_ID } from './builders.ts';

const view = (attributes: Attributes) => normalizeSpan(spanRecord({ attributes }));

describe('conversation key', () => {
  it('prefers gen_ai.conversation.id, then session.id, then the OpenLLMetry association session_id', () => {
    const all = { 'gen_ai.conversation.id': 'conv-1', 'session.id': 'sess-1', 'traceloop.association.properties.session_id': 'tl-1' };
    expect(view(all).conversationId).toBe('conv-1');
    expect(view({ ...all, 'gen_ai.conversation.id': undefined }).conversationId).toBe('sess-1');
    expect(view({ 'traceloop.association.properties.session_id': 'tl-1' }).conversationId).toBe('tl-1');
  });

  it('skips an empty id: it states nothing', () => {
    expect(view({ 'gen_ai.conversation.id': '', 'session.id': 'sess-1' }).conversationId).toBe('sess-1');
  });

  it("resolves to the span's own id even when its trace is known under another", () => {
    expect(resolveConversationKey(view({ 'gen_ai.conversation.id': 'conv-1' }), 'conv-from-trace')).toBe('conv-1');
  });

  it("resolves a child span without the attribute to its trace's conversation", () => {
    const child = view({ 'gen_ai.operation.name': 'execute_tool' });
    expect(child.conversationId).toBeUndefined();
    expect(resolveConversationKey(child, 'conv-1')).toBe('conv-1');
  });

  it('falls back to the trace id when nothing is known', () => {
    const orphan = view({ 'gen_ai.operation.name': 'chat' });
    expect(resolveConversationKey(orphan)).toBe(`trace:${TRACE_ID}`);
    expect(resolveConversationKey(orphan, '')).toBe(`trace:${TRACE_ID}`);
  });
});
