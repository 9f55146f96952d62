import { RollingQuantiles } from './rolling-quantiles.ts';
import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { NOT_MATCHED } from './sampling-policy.ts';

export interface TokenOutlierOptions {
  /** k: tokens above k × the rolling median match. */
  readonly aboveMedianTimes: number;
  readonly windowMs: number;
  /** Warm-up: no match until the window holds this many turns. */
  readonly minSamples: number;
}

/**
 * Turn token usage above k × the rolling median of the turns this policy has
 * seen (a runaway loop, a huge retrieval). Stateful like LatencyOutlierPolicy:
 * one instance per stratum, evaluated on every turn, compared before recorded.
 */
export class TokenOutlierPolicy implements SamplingPolicy {
  readonly description: string;
  readonly #times: number;
  readonly #minSamples: number;
  readonly #tokens: RollingQuantiles;

  constructor(options: TokenOutlierOptions) {
    this.#times = options.aboveMedianTimes;
    this.#minSamples = options.minSamples;
    this.#tokens = new RollingQuantiles({ windowMs: options.windowMs });
    this.description = `tokens above ${options.aboveMedianTimes}x median`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    const tokens = input.totalTokens;
    if (!Number.isFinite(tokens) || tokens < 0) return NOT_MATCHED;
    // No usage recorded (an end-marker turn span, a turn without a model call) says nothing about size:
    // kept out of the sketch, else such turns pull the median to 0 and the rule never fires.
    if (tokens === 0) return NOT_MATCHED;
    let answer = NOT_MATCHED;
    const bar = this.threshold(input.now);
    if (bar !== undefined && tokens > bar) {
      answer = { matched: true, detail: `tokens ${tokens} > ${this.#times}x median = ${Math.round(bar)}` };
    }
    this.#tokens.add(tokens, input.now);
    return answer;
  }

  /** The token count a turn must exceed, or undefined while warming up or while the median is 0 (k × 0 says nothing). */
  threshold(now: number): number | undefined {
    if (this.#tokens.count(now) < this.#minSamples) return undefined;
    const median = this.#tokens.quantile(0.5, now);
    if (median === undefined || median <= 0) return undefined;
    return this.#times * median;
  }
}
