import { describe, expect, it } from 'vitest';
import { endingViewOf, rememberEndingView } from '../../processors/ending-view.ts';
import { normalizeSpan } from '../../src/model/index.ts';
import type { SpanRecord } from '../../src/model/index.ts';

const record = (reply: string): SpanRecord => ({
  traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'chat gpt', kind: 1, startTimeUnixNano: 0n, endTimeUnixNano: 0n,
  attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply }] }]) },
  resourceAttributes: {}, status: { code: 0 }, events: [],
});

describe('the view of the span now ending, shared by the stages of one onEnding', () => {
  it('is reused for the same span read with the same limits, and read afresh otherwise', () => {
    const span = {};
    const remembered = normalizeSpan(record('It is $10.'));
    rememberEndingView(span, remembered, undefined);
    let reads = 0;
    const read = () => (reads++, record('It is $99.'));
    expect(endingViewOf(span, read, { maxAttributeChars: 256 * 1024, maxItems: 1000 })).toBe(remembered);
    expect(reads).toBe(0);

    const other = endingViewOf({}, read, undefined);
    expect(other).not.toBe(remembered);
    expect(other.outputMessages[0].parts[0]).toEqual({ type: 'text', content: 'It is $99.' });
    expect(endingViewOf(span, read, { maxItems: 5 })).not.toBe(remembered);
    expect(reads).toBe(2);
  });
});
