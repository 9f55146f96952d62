interface Slot<V> {
  value: V;
  /** The stamp of this key's newest record in the order arrays. */
  stamp: number;
}

/** Records beyond twice the live entries, plus this slack, trigger a compaction. */
const COMPACT_SLACK = 64;

/**
 * A map that knows its least recently set entry in amortized O(1), for bounded memories that
 * evict oldest first.
 *
 * Why not a Map's own insertion order: V8 leaves a hole where an entry is deleted and clears
 * holes only when the table is rebuilt, and iteration (`keys().next()`) walks every hole before
 * the first live entry. Evicting the first entry at a steady size therefore costs O(size) per
 * eviction: ~50 µs at 100,000 entries, which made the pipeline ~4× slower once a long-running
 * collector had seen 100,000 traces (bench: "pipeline, trace memory full").
 *
 * Here the order lives in arrays of (key, stamp) records: setting a key appends a record with a
 * fresh stamp, a record whose stamp is no longer its key's is stale and skipped, and the arrays
 * are compacted once stale records outnumber live ones.
 */
export class RecencyMap<K, V> {
  readonly #slots = new Map<K, Slot<V>>();
  #keys: K[] = [];
  #stamps: number[] = [];
  /** Records before this index are stale. */
  #head = 0;
  #nextStamp = 0;

  get size(): number {
    return this.#slots.size;
  }

  /** Records held, live and stale (for tests of the compaction bound). */
  get recordCount(): number {
    return this.#keys.length - this.#head;
  }

  get(key: K): V | undefined {
    return this.#slots.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#slots.has(key);
  }

  /** Sets `key` to `value` and makes it the most recently set entry. */
  set(key: K, value: V): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      const stamp = this.#nextStamp++;
      this.#slots.set(key, { value, stamp });
      this.#append(key, stamp);
      return;
    }
    slot.value = value;
    // Already the newest record: nothing moves (a trace's spans, a conversation's turns, come together).
    const last = this.#keys.length - 1;
    if (last >= this.#head && this.#stamps[last] === slot.stamp) return;
    slot.stamp = this.#nextStamp++;
    this.#append(key, slot.stamp);
  }

  /** Forgets `key`; its records turn stale. */
  delete(key: K): boolean {
    return this.#slots.delete(key);
  }

  /** The least recently set key; undefined when empty. */
  oldestKey(): K | undefined {
    this.#dropStaleHead();
    return this.#head < this.#keys.length ? this.#keys[this.#head] : undefined;
  }

  /**
   * Live entries, least recently set first, for walks that stop early (eviction, idle expiry).
   * The walker may delete entries as it goes; an entry set during the walk may be visited again
   * at its new place.
   */
  *oldestFirst(): Generator<[K, V]> {
    this.#dropStaleHead();
    // A compaction during the walk replaces the arrays; this walk finishes on the ones it began with.
    const keys = this.#keys;
    const stamps = this.#stamps;
    for (let i = this.#head; i < keys.length; i++) {
      const key = keys[i];
      const slot = this.#slots.get(key);
      if (slot === undefined || slot.stamp !== stamps[i]) continue;
      yield [key, slot.value];
      // What the walker deleted at the front is not walked past again.
      if (keys === this.#keys && i === this.#head && this.#isStale(i)) this.#head++;
    }
  }

  /** Live values, least recently set first (see `oldestFirst`). */
  *values(): Generator<V> {
    for (const [, value] of this.oldestFirst()) yield value;
  }

  #isStale(index: number): boolean {
    const slot = this.#slots.get(this.#keys[index]);
    return slot === undefined || slot.stamp !== this.#stamps[index];
  }

  #dropStaleHead(): void {
    while (this.#head < this.#keys.length && this.#isStale(this.#head)) this.#head++;
  }

  #append(key: K, stamp: number): void {
    this.#keys.push(key);
    this.#stamps.push(stamp);
    if (this.#keys.length > 2 * this.#slots.size + COMPACT_SLACK) this.#compact();
  }

  /** Keeps the live records only, in order: O(records), after at least as many sets or deletes. */
  #compact(): void {
    const keys: K[] = [];
    const stamps: number[] = [];
    for (let i = this.#head; i < this.#keys.length; i++) {
      if (this.#isStale(i)) continue;
      keys.push(this.#keys[i]);
      stamps.push(this.#stamps[i]);
    }
    this.#keys = keys;
    this.#stamps = stamps;
    this.#head = 0;
  }
}
