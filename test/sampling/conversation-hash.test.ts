import { describe, expect, it } from 'vitest';
import { loadConversationHash } from '../../src/sampling/index.ts';
import { conversationIds } from './builders.ts';

const unit = (xxh64: bigint) => Number(xxh64 >> 11n) / 2 ** 53;

describe('conversation hash', () => {
  it('is XXH64 (reference vectors), so other languages can reproduce a decision', async () => {
    const hash = await loadConversationHash();
    // xxHash reference: XXH64("", 0) = EF46DB3751D8E999, XXH64("abc", 0) = 44BC2CF5AD770999.
    expect(hash('')).toBe(unit(0xef46db3751d8e999n));
    expect(hash('abc')).toBe(unit(0x44bc2cf5ad770999n));
  });

  it('hashes the UTF-8 bytes of non-ASCII ids, stably', async () => {
    const first = await loadConversationHash();
    const second = await loadConversationHash();
    for (const id of ['会話-42', 'résumé', '🙂']) {
      expect(second(id)).toBe(first(id));
      expect(first(id)).toBeGreaterThanOrEqual(0);
      expect(first(id)).toBeLessThan(1);
    }
    expect(first('会話-42')).not.toBe(first('会話-43'));
  });

  it('spreads sequential ids evenly over [0, 1) (chi-square over 20 buckets)', async () => {
    const hash = await loadConversationHash();
    const buckets = new Array<number>(20).fill(0);
    const ids = conversationIds(100_000);
    for (const id of ids) buckets[Math.floor(hash(id) * 20)]++;
    const expected = ids.length / 20;
    const chiSquare = buckets.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: P(χ² > 43.8) = 0.001.
    expect(chiSquare).toBeLessThan(43.8);
  });
});
