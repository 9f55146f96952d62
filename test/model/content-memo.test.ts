import { describe, expect, it } from 'vitest';
import { ContentMemo } from '../../src/model/content-memo.ts';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { spanRecord } from './builders.ts';

const SYSTEM = JSON.stringify([{ type: 'text', content: 'You are the booking assistant of Hotel Aurora. Breakfast costs 18 EUR per person.' }]);
const REPLY = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'A double room is 140 EUR per night, so 420 EUR for 3 nights.' }] }]);
const chatSpan = (output: string) =>
  spanRecord({ name: 'chat gpt-4.1-mini', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system_instructions': SYSTEM, 'gen_ai.output.messages': output } });

describe('ContentMemo', () => {
  const limits = { maxChars: 1000, maxItems: 10 };

  it('returns what a string was read as, only under the same limits', () => {
    const memo = new ContentMemo<string[]>(4, 3, 100);
    memo.set('some text', limits, ['read']);
    expect(memo.get('some text', limits)).toEqual(['read']);
    expect(memo.get('some text', { ...limits, maxItems: 5 })).toBeUndefined();
    expect(memo.get('other text', limits)).toBeUndefined();
  });

  it('keeps at most maxEntries, oldest out, and never keeps short or overlong strings', () => {
    const memo = new ContentMemo<number>(2, 3, 10);
    memo.set('one', limits, 1);
    memo.set('two', limits, 2);
    memo.set('three', limits, 3);
    expect(memo.get('one', limits)).toBeUndefined();
    expect(memo.get('two', limits)).toBe(2);
    expect(memo.get('three', limits)).toBe(3);
    memo.set('ab', limits, 9);
    expect(memo.get('ab', limits)).toBeUndefined();
    memo.set('longer than ten', limits, 10);
    expect(memo.get('longer than ten', limits)).toBeUndefined();
  });
});

describe('normalization reads repeated content once', () => {
  it('a repeated system prompt and reply give the same view as the first read', () => {
    const first = normalizeSpan(chatSpan(REPLY));
    const again = normalizeSpan(chatSpan(`${REPLY}`));
    expect(again.systemInstructions).toEqual(['You are the booking assistant of Hotel Aurora. Breakfast costs 18 EUR per person.']);
    expect(again.outputMessages).toEqual(first.outputMessages);
    expect(again.problems).toEqual([]);
  });

  it('a malformed reply is reported on every span that carries it, not remembered as read', () => {
    const broken = `${REPLY.slice(0, -2)}`;
    for (let i = 0; i < 2; i++) {
      const view = normalizeSpan(chatSpan(broken));
      expect(view.outputMessages).toEqual([]);
      expect(view.problems).toEqual([expect.stringContaining('gen_ai.output.messages: not valid JSON')]);
    }
  });

  it('a reply remembered under the default limits is read again under a smaller item limit', () => {
    const twoMessages = JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: 'First message of the reply, long enough to be remembered.' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Second message of the reply.' }] },
    ]);
    expect(normalizeSpan(chatSpan(twoMessages)).outputMessages).toHaveLength(2);
    const limited = normalizeSpan(chatSpan(twoMessages), { maxItems: 1 });
    expect(limited.outputMessages).toHaveLength(1);
    expect(limited.problems).toEqual(['gen_ai.output.messages: 2 messages, read the first 1']);
  });
});
