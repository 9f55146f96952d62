import { RollingQuantiles } from './rolling-quantiles.ts';
import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { NOT_MATCHED } from './sampling-policy.ts';

export interface LatencyOutlierOptions {
  /** e.g. 0.99: latency above the rolling P99 matches. */
  readonly quantile: number;
  readonly windowMs: number;
  /** Warm-up: no match until the window holds this many turns. */
  readonly minSamples: number;
}

/**
 * Turn latency above a rolling quantile of the turns this policy has seen.
 * Stateful: it observes every turn it evaluates, so give each stratum its own
 * instance and never put it behind a short-circuiting combinator. The turn is
 * compared before it is recorded, so an outlier does not raise its own bar.
 */
export class LatencyOutlierPolicy implements SamplingPolicy {
  readonly description: string;
  readonly #quantile: number;
  readonly #label: string;
  readonly #minSamples: number;
  readonly #latencies: RollingQuantiles;

  constructor(options: LatencyOutlierOptions) {
    this.#quantile = options.quantile;
    this.#minSamples = options.minSamples;
    this.#latencies = new RollingQuantiles({ windowMs: options.windowMs });
    this.#label = `p${+(options.quantile * 100).toFixed(3)}`;
    this.description = `latency above ${this.#label}`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    const latency = input.latencyMs;
    if (!Number.isFinite(latency) || latency < 0) return NOT_MATCHED;
    let answer = NOT_MATCHED;
    const bar = this.threshold(input.now);
    if (bar !== undefined && latency > bar) {
      answer = { matched: true, detail: `latency ${Math.round(latency)}ms > ${this.#label} ${Math.round(bar)}ms` };
    }
    this.#latencies.add(latency, input.now);
    return answer;
  }

  /**
   * The latency a turn must exceed, or undefined while warming up. The sketch
   * answers with a bin's representative, within ±α of the values in that bin;
   * dividing by (1 − α) puts the bar above the whole bin, so steady traffic of
   * one constant latency never counts as its own outlier.
   */
  threshold(now: number): number | undefined {
    if (this.#latencies.count(now) < this.#minSamples) return undefined;
    const value = this.#latencies.quantile(this.#quantile, now);
    return value === undefined ? undefined : value / (1 - this.#latencies.relativeAccuracy);
  }
}
