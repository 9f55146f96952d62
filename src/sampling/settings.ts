/**
 * The typed sampling settings handed inward. `src/config/sampling.ts` parses
 * the config file into exactly this shape (durations already in ms, prices
 * merged with defaults); nothing here knows about YAML or zod.
 */

export type ScalarValue = string | number | boolean;

/** Operators on one attribute; several in one predicate must all hold (e.g. a range). */
export interface AttributeWhen {
  readonly attribute: string;
  readonly equals?: ScalarValue;
  /** Matches a present value that differs; a missing attribute does not match (use `not` + `equals` for that). */
  readonly notEquals?: ScalarValue;
  readonly in?: readonly ScalarValue[];
  readonly exists?: boolean;
  readonly lessThan?: number;
  readonly greaterThan?: number;
  readonly regex?: string;
}

/** Outcome signals (src/model OutcomeSignals) usable as stratum predicates and triggers. */
export type OutcomeFlag = 'escalated' | 'negativeFeedback' | 'bookingMade' | 'ticketCreated' | 'conversationEnded';

export type WhenSettings =
  | AttributeWhen
  | { readonly hasToolCalls: boolean }
  | { readonly outcome: OutcomeFlag }
  | { readonly error: boolean }
  | { readonly and: readonly WhenSettings[] }
  | { readonly or: readonly WhenSettings[] }
  | { readonly not: WhenSettings };

export interface StratumSettings {
  readonly name: string;
  /** Absent: matches every turn (a catch-all, usually last). */
  readonly when?: WhenSettings;
  /** Configured sampling rate, 0..1. */
  readonly rate: number;
}

export type AlwaysTrigger = 'checkFailed' | 'escalation' | 'error' | 'negativeFeedback';

export interface OutlierSettings {
  /** Turn latency above this rolling quantile (per stratum) triggers judging; null disables. */
  readonly latencyAboveQuantile: number | null;
  /** Turn tokens above this multiple of the rolling median (per stratum) trigger judging; null disables. */
  readonly tokensAboveMedianTimes: number | null;
  /** Rolling window: quantiles cover the current and the previous window. */
  readonly windowMs: number;
  /** Warm-up: no outlier trigger fires before a stratum has seen this many turns in the window. */
  readonly minSamples: number;
}

/** USD per 1M tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

export interface BudgetSettings {
  /** Hard ceilings on reserved judge spend, USD per UTC clock hour / UTC day; null: none. */
  readonly maxJudgeCostPerHour: number | null;
  readonly maxJudgeCostPerDay: number | null;
  /** Target judge spend as a share of observed inference spend; null: none. */
  readonly maxJudgeCostShareOfInference: number | null;
  /** Model name (or name prefix: `gpt-4.1-mini` prices `gpt-4.1-mini-2025-04-14`) → price. */
  readonly prices: Readonly<Record<string, ModelPrice>>;
  readonly judgeModel: string;
  /** Rubric and instructions the judge adds to the conversation text, tokens. */
  readonly judgeOverheadTokens: number;
  /** Output tokens one judge call may produce (the judge caps max tokens at this), so estimates bound actuals. */
  readonly judgeOutputTokens: number;
  /** Smoothing window of the demand and inference spend rates the pacing uses. */
  readonly paceWindowMs: number;
}

export interface SamplingSettings {
  /** First match wins, in this order. */
  readonly strata: readonly StratumSettings[];
  readonly always: readonly AlwaysTrigger[];
  readonly outliers: OutlierSettings;
  readonly budget: BudgetSettings;
  /** Salt for the conversation hash: replicas sharing it agree; a different salt draws an independent sample. */
  readonly hashSalt: string;
}

/** Settings that cannot become a sampler; the message names the field and the value. */
export class SamplingSettingsError extends Error {
  override readonly name = 'SamplingSettingsError';
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, problem: string) {
    super(`${field}: ${problem}, got ${JSON.stringify(value)}`);
    this.field = field;
    this.value = value;
  }
}
