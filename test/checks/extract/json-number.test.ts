import { describe, expect, it } from 'vitest';
import { forEachJsonNumber } from '../../../src/checks/extract/json-number.ts';
import { SOURCES } from '../../../bench/checks-throughput.ts';
import { loadLabelledRows } from '../precision-recall.ts';

/** The regular expression source-facts.ts read JSON numbers with; the hand reader must find exactly its pairs. */
const JSON_NUMBER = /"([A-Za-z_][\w.-]{0,63})"\s*:\s*"?(-?)(\d+(?:\.\d+)?)(?="?\s*[,}\]])/g;

type Pair = [key: string, digits: string, digitsStart: number];

function byRegex(text: string): Pair[] {
  const pairs: Pair[] = [];
  JSON_NUMBER.lastIndex = 0;
  for (let m = JSON_NUMBER.exec(text); m !== null; m = JSON_NUMBER.exec(text)) {
    pairs.push([m[1], m[3], m.index + m[0].length - m[3].length]);
  }
  return pairs;
}

function byHand(text: string): Pair[] {
  const pairs: Pair[] = [];
  forEachJsonNumber(text, (key, digits, digitsStart) => pairs.push([key, digits, digitsStart]));
  return pairs;
}

describe('forEachJsonNumber', () => {
  it('reads keyed numbers, quoted or not, and only those followed by , } or ]', () => {
    expect(byHand('{"price": 45, "fee":"12.50" ,"n":[1,2], "qty": -3}')).toEqual([
      ['price', '45', 10], ['fee', '12.50', 21], ['qty', '3', 48],
    ]);
    expect(byHand('{"total": 12.5.3, "a": 1., "b": 7x, "c" : 8 }')).toEqual([['c', '8', 42]]);
    expect(byHand('{"2fa": 1, "_ok": 2, "ünit": 3}')).toEqual([['_ok', '2', 18]]);
  });

  it('takes keys of up to 64 characters, as the pattern does', () => {
    const key = (length: number) => `k${'x'.repeat(length - 1)}`;
    expect(byHand(`{"${key(64)}": 1}`)).toEqual([[key(64), '1', 69]]);
    expect(byHand(`{"${key(65)}": 1}`)).toEqual([]);
  });

  it('finds the same pairs as the regular expression on every source and reply of the labelled set and the bench', () => {
    const texts = [...loadLabelledRows().flatMap((row) => [row.reply, ...row.sources.map((source) => String(source.text))]), ...SOURCES.map((source) => String(source.text))];
    let pairs = 0;
    for (const text of texts) {
      expect(byHand(text), text).toEqual(byRegex(text));
      pairs += byRegex(text).length;
    }
    expect(pairs).toBeGreaterThan(100);
  });

  it('finds the same pairs as the regular expression on 20,000 seeded JSON-like texts', () => {
    let state = 7;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    // Pieces of pairs (keys, colons, values, closers) and what breaks them, joined at random.
    const keys = ['"price"', '"amount_cents"', '"k.e-y"', '"_x"', '"2x"', '"ü"', '"a b"', `"k${'x'.repeat(63)}"`, `"k${'y'.repeat(64)}"`, '"', 'key"'];
    const colons = [':', ': ', ' :', '\t:\n', ':\u00a0', '\u2028:\ufeff', '', ' '];
    const values = ['45', '-3', '"12.50"', '"7', '8"', '1.', '.5', '3.14', '1.2.3', '0012', '""', '"-"', '-', '4x', '9'.repeat(400)];
    const closers = [',', '}', ']', ' ,', '" }', '"\n]', ' x', '.', '"', '', ':'];
    const noise = ['{', '[', '"', ' ', 'a', 'é', ',', '0'];
    const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)];
    let found = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const count = Math.floor(random() * 8);
      for (let j = 0; j < count; j++) text += random() < 0.8 ? pick(keys) + pick(colons) + pick(values) + pick(closers) : pick(noise);
      const expected = byRegex(text);
      found += expected.length;
      const actual = byHand(text);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual, JSON.stringify(text)).toEqual(expected);
    }
    expect(found).toBeGreaterThan(1000);
  });
});
