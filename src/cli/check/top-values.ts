/**
 * The most frequent values of an unbounded stream in bounded memory: the
 * Space-Saving algorithm (Metwally, Agrawal, El Abbadi, "Efficient Computation
 * of Frequent and Top-k Elements in Data Streams", ICDT 2005). While fewer than
 * `capacity` distinct values were seen, counts are exact; after that a new
 * value replaces the least counted one and inherits its count, so a count may
 * be over by at most `overestimate`, and every value more frequent than
 * total / capacity is still kept.
 */
export interface TopValue {
  readonly value: string;
  readonly count: number;
  /** How much of `count` may be inherited from evicted values (0 = exact). */
  readonly overestimate: number;
}

export class TopValues {
  readonly #capacity: number;
  readonly #counts = new Map<string, { count: number; overestimate: number }>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(value: string): void {
    const entry = this.#counts.get(value);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    if (this.#counts.size < this.#capacity) {
      this.#counts.set(value, { count: 1, overestimate: 0 });
      return;
    }
    // Linear scan for the minimum: eviction is rare next to hits, and the capacity is small.
    let minValue = '';
    let minCount = Infinity;
    for (const [candidate, counted] of this.#counts) {
      if (counted.count < minCount) {
        minCount = counted.count;
        minValue = candidate;
      }
    }
    this.#counts.delete(minValue);
    this.#counts.set(value, { count: minCount + 1, overestimate: minCount });
  }

  /** The `limit` most counted values, most first; ties by value for a stable report. */
  top(limit: number): TopValue[] {
    return [...this.#counts]
      .map(([value, { count, overestimate }]) => ({ value, count, overestimate }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, limit);
  }
}
