import type { BudgetReservation } from './judge-budget.ts';

/** Always-on triggers: the turn is judged whatever its stratum's rate (hard budget ceilings still apply). */
export type TriggerReason = 'check_failed' | 'escalation' | 'error' | 'negative_feedback' | 'latency_outlier' | 'token_outlier';

/**
 * Why a turn was or was not sampled.
 * - `stratum`: the conversation hash fell under the stratum's effective rate.
 * - `budget_capped`: it would have been sampled at the configured rate (or by a
 *   trigger) but the judge budget scaled the rate down or refused the reservation.
 * - `not_sampled`: the hash fell above the configured rate.
 * - `sampler_error`: an internal failure; counted, never thrown into the pipeline.
 */
export type SamplingReason = TriggerReason | 'stratum' | 'budget_capped' | 'not_sampled' | 'sampler_error';

interface DecisionCommon {
  /** Name of the first matching stratum (config order). */
  readonly stratum: string;
  /**
   * Inclusion probability of this turn: 1 when a trigger included it, else the
   * stratum's effective rate (configured × budget multiplier) at decision time.
   */
  readonly rate: number;
  /** Horvitz–Thompson weight 1/rate for reweighting sampled results to the population; 0 when rate is 0. */
  readonly weight: number;
  readonly reason: SamplingReason;
  /** Pre-call estimate of what judging this conversation costs, USD. */
  readonly estimatedJudgeCost: number;
  /** Human-readable why, e.g. `latency 9100ms > p99 1180ms`. */
  readonly detail?: string;
}

export interface SampledDecision extends DecisionCommon {
  readonly sampled: true;
  readonly reason: 'stratum' | TriggerReason;
  /** Budget held for the judge call: commit the actual cost or release it (JudgeBudget). */
  readonly reservation: BudgetReservation;
}

export interface UnsampledDecision extends DecisionCommon {
  readonly sampled: false;
  readonly reason: 'budget_capped' | 'not_sampled' | 'sampler_error';
}

export type Decision = SampledDecision | UnsampledDecision;
