import type { SamplingReason } from './decision.ts';
import type { BudgetStats } from './judge-budget.ts';

/** One stratum's live numbers, for metrics (e.g. a gauge of effective rate by stratum). */
export interface StratumStats {
  readonly name: string;
  readonly configuredRate: number;
  /** Configured rate × the budget multiplier, as applied to the latest decision. */
  readonly effectiveRate: number;
  readonly turns: number;
  readonly sampled: number;
  /** Current outlier bars; absent while warming up or disabled. */
  readonly latencyThresholdMs?: number;
  readonly tokenThreshold?: number;
}

export interface SamplingStats {
  /** Decision counts by stratum and reason (monotonic counters). */
  readonly decisions: Readonly<Record<string, Readonly<Partial<Record<SamplingReason, number>>>>>;
  readonly strata: readonly StratumStats[];
  readonly budget: BudgetStats;
  /** Turns whose token usage had no price: the inference share under-counts them. */
  readonly unpricedTurns: number;
}

/** Monotonic decision counters; strata names come from config, so the key set is bounded. */
export class DecisionCounters {
  readonly #counts = new Map<string, Map<SamplingReason, number>>();

  add(stratum: string, reason: SamplingReason): void {
    let byReason = this.#counts.get(stratum);
    if (byReason === undefined) {
      byReason = new Map();
      this.#counts.set(stratum, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }

  snapshot(): Record<string, Partial<Record<SamplingReason, number>>> {
    const out: Record<string, Partial<Record<SamplingReason, number>>> = {};
    for (const [stratum, byReason] of this.#counts) out[stratum] = Object.fromEntries(byReason);
    return out;
  }
}
