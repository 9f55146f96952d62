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
  #windowStart: number | undefined;
  #current: LogCollapsingLowestDenseDDSketch;
  #combined: LogCollapsingLowestDenseDDSketch;

  constructor(options: RollingQuantilesOptions) {
    this.#windowMs = options.windowMs;
    this.relativeAccuracy = options.relativeAccuracy ?? 0.01;
    this.#binLimit = options.binLimit ?? 2048;
    this.#current = this.#sketch();
    this.#combined = this.#sketch();
  }

  add(value: number, now: number): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) return;
    this.#advance(now);
    this.#current.accept(value);
    this.#combined.accept(value);
  }

  /** Values in the previous and current windows. */
  count(now: number): number {
    this.#advance(now);
    return this.#combined.count;
  }

  /** Value at quantile q (0..1) over the previous and current windows; undefined when empty. */
  quantile(q: number, now: number): number | undefined {
    this.#advance(now);
    if (this.#combined.count === 0) return undefined;
    return this.#combined.getValueAtQuantile(q);
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
  }

  #sketch(): LogCollapsingLowestDenseDDSketch {
    return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: this.relativeAccuracy, binLimit: this.#binLimit });
  }
}
