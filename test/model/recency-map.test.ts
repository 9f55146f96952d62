import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../src/offline/compare/stats.ts';
import { RecencyMap } from '../../src/model/recency-map.ts';

/** The reference: a Map whose insertion order is the recency order (delete, then set, moves a key last). */
class ReferenceMap {
  readonly map = new Map<string, number>();
  set(key: string, value: number): void {
    this.map.delete(key);
    this.map.set(key, value);
  }
  oldestKey(): string | undefined {
    return this.map.keys().next().value;
  }
}


describe('RecencyMap', () => {
  it('keeps the order a Map gives when every set moves its key last, over random sets, deletes and evictions', () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const actual = new RecencyMap<string, number>();
      const expected = new ReferenceMap();
      for (let step = 0; step < 20_000; step++) {
        const key = `k${Math.floor(next() * 300)}`;
        const roll = next();
        if (roll < 0.55) {
          actual.set(key, step);
          expected.set(key, step);
        } else if (roll < 0.7) {
          expect(actual.delete(key)).toBe(expected.map.delete(key));
        } else if (roll < 0.85) {
          const oldest = actual.oldestKey();
          expect(oldest).toBe(expected.oldestKey());
          if (oldest !== undefined) {
            actual.delete(oldest);
            expected.map.delete(oldest);
          }
        } else if (roll < 0.9) {
          // A walk that deletes what it passes until it has deleted three entries.
          let deleted = 0;
          const walked: string[] = [];
          for (const [walkedKey] of actual.oldestFirst()) {
            walked.push(walkedKey);
            actual.delete(walkedKey);
            if (++deleted === 3) break;
          }
          const expectedWalk = [...expected.map.keys()].slice(0, 3);
          for (const walkedKey of expectedWalk) expected.map.delete(walkedKey);
          expect(walked).toEqual(expectedWalk);
        } else {
          expect(actual.get(key)).toBe(expected.map.get(key));
          expect(actual.has(key)).toBe(expected.map.has(key));
        }
        expect(actual.size).toBe(expected.map.size);
        // The compaction bound: stale records never outgrow the live ones by more than the slack.
        expect(actual.recordCount).toBeLessThanOrEqual(2 * actual.size + 65);
      }
      expect([...actual.oldestFirst()]).toEqual([...expected.map.entries()]);
      expect([...actual.values()]).toEqual([...expected.map.values()]);
    }
  });

  it('setting the newest key again keeps one record for it', () => {
    const map = new RecencyMap<string, number>();
    map.set('a', 1);
    map.set('b', 2);
    for (let i = 0; i < 1000; i++) map.set('b', i);
    expect(map.recordCount).toBe(2);
    expect(map.get('b')).toBe(999);
    expect([...map.oldestFirst()].map(([key]) => key)).toEqual(['a', 'b']);
  });

  it('evicting oldest first at a steady size holds its records to the compaction bound', () => {
    const map = new RecencyMap<number, number>();
    for (let i = 0; i < 100_000; i++) {
      map.set(i, i);
      if (map.size > 1000) map.delete(map.oldestKey() as number);
    }
    expect(map.size).toBe(1000);
    expect(map.oldestKey()).toBe(99_000);
    expect(map.recordCount).toBeLessThanOrEqual(2 * 1000 + 65);
  });

  it('a walk survives a compaction it causes, visiting each entry it began with at most once more after a move', () => {
    const map = new RecencyMap<number, string>();
    for (let i = 0; i < 10; i++) map.set(i, `v${i}`);
    const seen: number[] = [];
    let compactions = 0;
    for (const [key] of map.oldestFirst()) {
      seen.push(key);
      // Churn that forces compactions while the walk is in progress.
      let records = map.recordCount;
      for (let j = 0; j < 200; j++) {
        map.set(1000 + j, 'x');
        if (map.recordCount < records) compactions++;
        records = map.recordCount;
      }
      for (let j = 0; j < 200; j++) map.delete(1000 + j);
      if (seen.length === 10) break;
    }
    expect(compactions).toBeGreaterThan(0);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...map.oldestFirst()].map(([key]) => key)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is empty-safe', () => {
    const map = new RecencyMap<string, number>();
    expect(map.oldestKey()).toBeUndefined();
    expect([...map.oldestFirst()]).toEqual([]);
    expect(map.delete('missing')).toBe(false);
    map.set('a', 1);
    map.delete('a');
    expect(map.oldestKey()).toBeUndefined();
    expect(map.size).toBe(0);
  });
});
