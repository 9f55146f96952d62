import { describe, expect, it } from 'vitest';
import { ConversationBuffer } from '../../processors/online/conversation-buffer.ts';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { spanRecord } from '../model/builders.ts';

const toolSpan = (traceId: string, spanId: string) =>
  normalizeSpan(spanRecord({ traceId, spanId, name: 'execute_tool lookup', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } }));

const TRACE_A = 'a'.repeat(32);
const TRACE_B = 'b'.repeat(32);

describe('ConversationBuffer: children waiting for their turn span', () => {
  it('forgets the children of a trace once they waited past the age, counted; younger ones stay until their turn takes them', () => {
    const buffer = new ConversationBuffer();
    buffer.addChild(toolSpan(TRACE_A, '1'.repeat(16)), 0);
    buffer.addChild(toolSpan(TRACE_B, '2'.repeat(16)), 100);
    // A later child of A does not make A's wait start again.
    buffer.addChild(toolSpan(TRACE_A, '3'.repeat(16)), 150);
    expect(buffer.pendingTraces).toBe(2);

    buffer.expirePending(199, 200);
    expect(buffer.pendingTraces).toBe(2);
    buffer.expirePending(250, 200);
    expect(buffer.pendingTraces).toBe(1);
    expect(buffer.counters).toMatchObject({ pendingTracesExpired: 1, childrenDropped: 2 });
    expect(buffer.takeChildren(TRACE_A)).toEqual([]);
    expect(buffer.takeChildren(TRACE_B).map((view) => view.span.spanId)).toEqual(['2'.repeat(16)]);
    expect(buffer.pendingTraces).toBe(0);
    buffer.expirePending(10_000, 200);
    expect(buffer.counters.pendingTracesExpired).toBe(1);
  });
});
