import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

export interface RollingQuantilesOptions {
  readonly windowMs: number;
  /** DDSketch relative accuracy α: a returned quantile is within ±α of a true value. */
  readonly relativeAccuracy?: number;
  /**
   * Bins kept per sketch; the lowest collapse beyond it, so memory is bounded
   * whatever the value range and only low quantiles lose accuracy.
   */
  readonly binLimit?: number;
  /**
   * A quantile is recomputed after this many new values (or a rotation), not on
   * every query: reading a sketch walks its bins, and over a window of thousands
   * of values a few new ones do not move a P99. Default 32; 1 recomputes always.
   */
  readonly refreshEvery?: number;
}

interface CachedQuantile {
  q: number;
  value: number | undefined;
  /** Values added when it was computed; -1: stale. */
  added: number;
}

/**
 * Quantiles over the current and the previous window of a stream, in bounded
 * memory (DDSketch, Masson et al. 2019). `combined` always holds previous ∪
 * current, so a query reads one sketch and each rotation costs one merge.
 * Time is passed in; values below zero or not finite are ignored.
 */
export class RollingQuantiles {
  readonly relativeAccuracy: number;
  readonly #windowMs: number;
  readonly #binLimit: number;
  readonly #refreshEvery: number;
  readonly #cache: CachedQuantile[] = [];
  #added = 0;
  #windowStart: number | undefined;
  #current: LogCollapsingLowestDenseDDSketch;
  #combined: LogCollapsingLowestDenseDDSketch;

  constructor(options: RollingQuantilesOptions) {
    this.#windowMs = options.windowMs;
    this.relativeAccuracy = options.relativeAccuracy ?? 0.01;
    this.#binLimit = options.binLimit ?? 2048;
    this.#refreshEvery = options.refreshEvery ?? 32;
    this.#current = this.#sketch();
    this.#combined = this.#sketch();
  }

  add(value: number, now: number): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) return;
    this.#advance(now);
    this.#current.accept(value);
    this.#combined.accept(value);
    this.#added++;
  }

  /** Values in the previous and current windows. */
  count(now: number): number {
    this.#advance(now);
    return this.#combined.count;
  }

  /** Value at quantile q (0..1) over the previous and current windows; undefined when empty. */
  quantile(q: number, now: number): number | undefined {
    this.#advance(now);
    let cached = this.#cache.find((entry) => entry.q === q);
    if (cached === undefined) {
      cached = { q, value: undefined, added: -1 };
      this.#cache.push(cached);
    }
    if (cached.added < 0 || this.#added - cached.added >= this.#refreshEvery) {
      cached.value = this.#combined.count === 0 ? undefined : this.#combined.getValueAtQuantile(q);
      cached.added = this.#added;
    }
    return cached.value;
  }

  #advance(now: number): void {
    if (this.#windowStart === undefined) {
      this.#windowStart = now;
      return;
    }
    const elapsedWindows = Math.floor((now - this.#windowStart) / this.#windowMs);
    // A clock that steps back (another replica's timestamps) stays in the current window.
    if (elapsedWindows < 1) return;
    const previous = elapsedWindows === 1 ? this.#current : undefined;
    this.#current = this.#sketch();
    this.#combined = this.#sketch();
    if (previous !== undefined && previous.count > 0) this.#combined.merge(previous);
    this.#windowStart += elapsedWindows * this.#windowMs;
    for (const entry of this.#cache) entry.added = -1;
  }

  #sketch(): LogCollapsingLowestDenseDDSketch {
    return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: this.relativeAccuracy, binLimit: this.#binLimit });
  }
}
