import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { snapshotOfView, withConversationSnapshot } from '../../processors/view-snapshot.ts';
import { spanRecord } from '../model/builders.ts';

const chatView = (messages: unknown[]) =>
  normalizeSpan(
    spanRecord({
      name: 'chat gpt-4.1-mini',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': JSON.stringify(messages),
        'app.vertical': 'hotel',
      },
    }),
  );

describe('snapshotOfView', () => {
  it('lists the history as the model was given it, tool calls paired with their results, then the reply', () => {
    const view = chatView([
      { role: 'system', parts: [{ type: 'text', content: 'Only quote prices a tool returned.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Hi, a suite for Friday?' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Let me check.' }, { type: 'tool_call', id: 'c1', name: 'lookup_price', arguments: { room: 'suite' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: { price: '$249.00' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', response: 'no id: kept on its own line' }] },
      { role: 'user', parts: [{ type: 'text', content: 'How much is it?' }] },
    ]);
    expect(snapshotOfView(view, 'The suite is $199.00 per night.')).toEqual({
      userMessages: ['Hi, a suite for Friday?', 'How much is it?'],
      transcript: [
        { role: 'user', text: 'Hi, a suite for Friday?' },
        { role: 'assistant', text: 'Let me check.' },
        { role: 'tool', text: 'lookup_price({"room":"suite"}) → {"price":"$249.00"}' },
        { role: 'tool', text: '→ no id: kept on its own line' },
        { role: 'user', text: 'How much is it?' },
        { role: 'assistant', text: 'The suite is $199.00 per night.' },
      ],
      cohort: { 'app.vertical': 'hotel' },
    });
  });

  it('a span without input messages still gives its reply; odd values do not throw', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const view = { ...chatView([]), inputMessages: [{ role: 'tool', parts: [{ type: 'tool_call_response' as const, id: 'x', response: cyclic }] }] };
    expect(snapshotOfView(view, 'Done.').transcript).toEqual([
      { role: 'tool', text: '→ [object Object]' },
      { role: 'assistant', text: 'Done.' },
    ]);
    expect(snapshotOfView(chatView([]), '')).toEqual({ userMessages: [], transcript: [], cohort: { 'app.vertical': 'hotel' } });
  });

  it('withConversationSnapshot builds the snapshot on the first read of `conversation` only, then keeps it', () => {
    let serialized = 0;
    const response = { price: '$249.00', toJSON: () => (serialized++, { price: '$249.00' }) };
    const view = { ...chatView([]), inputMessages: [{ role: 'tool', parts: [{ type: 'tool_call_response' as const, id: 'c1', response }] }] };
    const target = { conversationId: 'conv-1', traceId: 't'.repeat(32), spanId: 's'.repeat(16) };
    const lazy = withConversationSnapshot(target, view, 'Done.');
    expect(serialized).toBe(0);
    expect([lazy.conversationId, lazy.traceId, lazy.spanId]).toEqual([target.conversationId, target.traceId, target.spanId]);
    expect(serialized).toBe(0);
    const first = lazy.conversation;
    expect(first).toEqual(snapshotOfView(view, 'Done.'));
    expect(serialized).toBe(2); // the lazy build and the comparison's own
    expect(lazy.conversation).toBe(first);
    expect(serialized).toBe(2);
    expect({ ...lazy }.conversation).toBe(first); // sinks that copy the target get it too
    expect(target).not.toHaveProperty('conversation');
  });
});
