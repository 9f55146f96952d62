import { describe, expect, it } from 'vitest';
import { TextSet } from '../../processors/text-set.ts';
import { seededRandom } from '../../src/offline/compare/stats.ts';

describe('TextSet', () => {
  it('answers as a Set of strings would, through adds and deletes of many texts of the same length', () => {
    const random = seededRandom(0x7e47);
    // Few lengths, many texts each: most lookups meet a length already held by other texts.
    const texts = Array.from({ length: 60 }, (_, i) => `${'ab'[i % 2]}${String(i).padStart(3, '0')}`.repeat(1 + (i % 3)));
    const set = new TextSet();
    const reference = new Set<string>();
    for (let step = 0; step < 5_000; step++) {
      // A fresh copy each time: equal texts are found by content, not by identity.
      const text = JSON.parse(JSON.stringify(texts[Math.floor(random() * texts.length)])) as string;
      const roll = random();
      if (roll < 0.45) {
        set.add(text);
        reference.add(text);
      } else if (roll < 0.7) {
        set.delete(text);
        reference.delete(text);
      }
      expect(set.has(text)).toBe(reference.has(text));
    }
    for (const text of texts) expect(set.has(text)).toBe(reference.has(text));
    expect(reference.size).toBeGreaterThan(5);
  });

  it('tells apart texts of the same length, and holds an added text once', () => {
    const set = new TextSet();
    set.add('abc');
    set.add('abd');
    set.add('abc');
    expect(set.has('abc')).toBe(true);
    expect(set.has('abd')).toBe(true);
    expect(set.has('abe')).toBe(false);
    set.delete('abc');
    expect(set.has('abc')).toBe(false);
    expect(set.has('abd')).toBe(true);
    set.delete('abd');
    set.delete('abd');
    expect(set.has('abd')).toBe(false);
    expect(set.has('')).toBe(false);
    set.add('');
    expect(set.has('')).toBe(true);
  });
});
