import { describe, expect, it } from 'vitest';
import { ContentJoin } from '../../processors/content-join.ts';
import type { SpanContentRecord } from '../../processors/content-join.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const entry = (spanId: string | undefined, eventName = 'gen_ai.user.message', body: unknown = { content: 'hello' }, responseId?: string): SpanContentRecord => ({
  traceId: TRACE,
  ...(spanId !== undefined && { spanId }),
  ...(responseId !== undefined && { responseId }),
  record: { eventName, attributes: {}, body: body as never },
});

describe('ContentJoin: records waiting for their span', () => {
  it('hands a span its records once, in arrival order, and knows when its reply has come', () => {
    const join = new ContentJoin();
    join.add(entry('a1'), 0);
    expect(join.hasOutput(TRACE, 'a1')).toBe(false);
    join.add(entry('a1', 'gen_ai.choice', { index: 0, message: { content: 'hi' } }), 1);
    expect(join.hasOutput(TRACE, 'a1')).toBe(true);
    expect(join.take(TRACE, 'a1', undefined)?.map((record) => record.eventName)).toEqual(['gen_ai.user.message', 'gen_ai.choice']);
    expect(join.take(TRACE, 'a1', undefined)).toBeUndefined();
    expect(join.stats()).toMatchObject({ recordsReceived: 2, recordsJoined: 2, spansWaiting: 0, charsHeld: 0 });
  });

  it('joins a record without a span id by the reply\'s response id', () => {
    const join = new ContentJoin();
    join.add(entry(undefined, 'gen_ai.choice', { message: { content: 'x' } }, 'chatcmpl-9'), 0);
    expect(join.take(TRACE, 'b2', 'chatcmpl-9')).toHaveLength(1);
    // Neither a span nor a response: nothing could ever read it, so it is not kept.
    join.add(entry(undefined), 0);
    expect(join.stats()).toMatchObject({ spansWaiting: 0, recordsEvicted: 1 });
  });

  it('forgets records whose span never came, after the TTL, and counts them', () => {
    const join = new ContentJoin({ ttlMs: 1_000 });
    join.add(entry('c1'), 0);
    join.add(entry('c2'), 900);
    join.expire(1_500);
    expect(join.stats()).toMatchObject({ spansWaiting: 1, recordsExpired: 1 });
    expect(join.take(TRACE, 'c1', undefined)).toBeUndefined();
    expect(join.take(TRACE, 'c2', undefined)).toHaveLength(1);
  });

  it('stays within its bounds: spans, characters, records per span — the oldest go first, all counted', () => {
    const join = new ContentJoin({ maxSpans: 3, maxChars: 1_000, maxRecordsPerSpan: 2 });
    for (let i = 0; i < 10; i++) join.add(entry(`s${i}`), i);
    expect(join.stats()).toMatchObject({ spansWaiting: 3, recordsEvicted: 7 });
    expect(join.take(TRACE, 's9', undefined)).toHaveLength(1);
    join.add(entry('big', 'gen_ai.user.message', { content: 'x'.repeat(2_000) }), 20);
    expect(join.stats().charsHeld).toBeLessThanOrEqual(1_000);
    for (let i = 0; i < 5; i++) join.add(entry('many'), 30);
    expect(join.take(TRACE, 'many', undefined)).toHaveLength(2);
  });
});
