import type { ConversationHash } from './conversation-hash.ts';
import type { Decision, TriggerReason } from './decision.ts';
import type { JudgeBudget } from './judge-budget.ts';
import { LatencyOutlierPolicy } from './latency-outlier.ts';
import type { JudgeCostModel, PriceTable } from './prices.ts';
import { estimateJudgeCost, turnInferenceCost, turnTextChars } from './prices.ts';
import type { SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import type { SamplingStats, StratumStats } from './sampling-stats.ts';
import { DecisionCounters } from './sampling-stats.ts';
import type { OutlierSettings } from './settings.ts';
import { TokenOutlierPolicy } from './token-outlier.ts';

/** Where turns no stratum matches are counted; rate 0 (config reserves the name). */
export const UNMATCHED_STRATUM = 'unmatched';

export interface Stratum {
  readonly name: string;
  readonly rate: number;
  /** Absent: every turn matches. */
  readonly when?: SamplingPolicy;
}

export interface Trigger {
  readonly reason: TriggerReason;
  readonly policy: SamplingPolicy;
}

export interface StratifiedSamplerOptions {
  /** First match wins, in this order. */
  readonly strata: readonly Stratum[];
  /** Always-on triggers, checked in this order. */
  readonly triggers: readonly Trigger[];
  /** Outlier triggers, one pair of rolling sketches per stratum. */
  readonly outliers: OutlierSettings;
  readonly hash: ConversationHash;
  readonly budget: JudgeBudget;
  readonly prices: PriceTable;
  readonly judgeCost: JudgeCostModel;
}

interface StratumState {
  readonly name: string;
  readonly rate: number;
  readonly when: SamplingPolicy | undefined;
  readonly latency: LatencyOutlierPolicy | undefined;
  readonly tokens: TokenOutlierPolicy | undefined;
  turns: number;
  sampled: number;
}

/**
 * The composite that decides (the processor wires it, it does not contain
 * policies): stratum (first match) → triggers (always-on, then this stratum's
 * outliers) → conversation hash against rate × budget multiplier → budget
 * reservation, the final gate. Each sampled turn's weight is 1/π with π its
 * inclusion probability (1 for a trigger, the effective rate otherwise), so
 * Horvitz–Thompson estimates over judged turns are unbiased per stratum.
 */
export class StratifiedSampler {
  readonly budget: JudgeBudget;
  readonly #strata: readonly StratumState[];
  readonly #triggers: readonly Trigger[];
  readonly #hash: ConversationHash;
  readonly #prices: PriceTable;
  readonly #judgeCost: JudgeCostModel;
  readonly #counters = new DecisionCounters();
  #multiplier = 1;
  #unpricedTurns = 0;

  constructor(options: StratifiedSamplerOptions) {
    const strata = [...options.strata];
    if (strata.length === 0 || strata[strata.length - 1].when !== undefined) strata.push({ name: UNMATCHED_STRATUM, rate: 0 });
    const { latencyAboveQuantile, tokensAboveMedianTimes, windowMs, minSamples } = options.outliers;
    this.#strata = strata.map((s) => ({
      name: s.name,
      rate: s.rate,
      when: s.when,
      latency: latencyAboveQuantile === null ? undefined : new LatencyOutlierPolicy({ quantile: latencyAboveQuantile, windowMs, minSamples }),
      tokens: tokensAboveMedianTimes === null ? undefined : new TokenOutlierPolicy({ aboveMedianTimes: tokensAboveMedianTimes, windowMs, minSamples }),
      turns: 0,
      sampled: 0,
    }));
    this.#triggers = options.triggers;
    this.#hash = options.hash;
    this.budget = options.budget;
    this.#prices = options.prices;
    this.#judgeCost = options.judgeCost;
  }

  /** Never throws: an internal failure is a counted `sampler_error` decision, and the spans flow on. */
  decide(input: SamplingInput): Decision {
    let stratum: StratumState | undefined;
    try {
      stratum = this.#stratumOf(input);
      return this.#decide(stratum, input);
    } catch (error) {
      const name = stratum?.name ?? UNMATCHED_STRATUM;
      this.#counters.add(name, 'sampler_error');
      const detail = error instanceof Error ? error.message : String(error);
      return { sampled: false, stratum: name, rate: 0, weight: 0, reason: 'sampler_error', estimatedJudgeCost: 0, detail };
    }
  }

  stats(now: number): SamplingStats {
    const strata: StratumStats[] = this.#strata.map((s) => ({
      name: s.name,
      configuredRate: s.rate,
      effectiveRate: s.rate * this.#multiplier,
      turns: s.turns,
      sampled: s.sampled,
      latencyThresholdMs: s.latency?.threshold(now),
      tokenThreshold: s.tokens?.threshold(now),
    }));
    return { decisions: this.#counters.snapshot(), strata, budget: this.budget.stats(now), unpricedTurns: this.#unpricedTurns };
  }

  #stratumOf(input: SamplingInput): StratumState {
    for (const stratum of this.#strata) {
      if (stratum.when === undefined || stratum.when.evaluate(input).matched) return stratum;
    }
    return this.#strata[this.#strata.length - 1];
  }

  #decide(stratum: StratumState, input: SamplingInput): Decision {
    const { now } = input;
    stratum.turns++;
    // Outlier sketches must see every turn of their stratum, so both run before any short-circuit.
    const latency = stratum.latency?.evaluate(input);
    const tokens = stratum.tokens?.evaluate(input);

    const inference = turnInferenceCost(input.spans, this.#prices);
    if (inference.unpriced) this.#unpricedTurns++;
    this.budget.recordInference(inference.usd, now);
    const estimate = estimateJudgeCost(input.judgeInputChars ?? turnTextChars(input.spans), this.#judgeCost);

    let reason: TriggerReason | undefined;
    let detail: string | undefined;
    for (const trigger of this.#triggers) {
      const answer = trigger.policy.evaluate(input);
      if (answer.matched) {
        reason = trigger.reason;
        detail = answer.detail;
        break;
      }
    }
    if (reason === undefined && latency?.matched) {
      reason = 'latency_outlier';
      detail = latency.detail;
    } else if (reason === undefined && tokens?.matched) {
      reason = 'token_outlier';
      detail = tokens.detail;
    }

    this.budget.recordDemand(reason === undefined ? estimate * stratum.rate : estimate, reason !== undefined, now);
    this.#multiplier = this.budget.multiplier(now);
    const effectiveRate = stratum.rate * this.#multiplier;

    if (reason === undefined) {
      const point = stratum.rate > 0 ? this.#hash(input.conversationId) : 1;
      if (point >= effectiveRate) {
        return this.#unsampled(stratum, effectiveRate, point < stratum.rate ? 'budget_capped' : 'not_sampled', estimate);
      }
    }
    const reservation = this.budget.reserve(estimate, now);
    if (reservation === undefined) {
      return this.#unsampled(stratum, effectiveRate, 'budget_capped', estimate, 'judge budget ceiling reached');
    }
    const rate = reason === undefined ? effectiveRate : 1;
    stratum.sampled++;
    this.#counters.add(stratum.name, reason ?? 'stratum');
    return { sampled: true, stratum: stratum.name, rate, weight: 1 / rate, reason: reason ?? 'stratum', estimatedJudgeCost: estimate, reservation, detail };
  }

  #unsampled(stratum: StratumState, rate: number, reason: 'budget_capped' | 'not_sampled', estimate: number, detail?: string): Decision {
    this.#counters.add(stratum.name, reason);
    return { sampled: false, stratum: stratum.name, rate, weight: rate > 0 ? 1 / rate : 0, reason, estimatedJudgeCost: estimate, detail };
  }
}
