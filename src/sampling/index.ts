export type { SamplingInput, PolicyVerdict, SamplingPolicy } from './sampling-policy.ts';
export { MATCHED, NOT_MATCHED } from './sampling-policy.ts';
export type { Decision, SampledDecision, UnsampledDecision, SamplingReason, TriggerReason } from './decision.ts';
export { SamplingAttributes, decisionAttributes } from './attributes.ts';
export type { DecisionAttributes } from './attributes.ts';
export type {
  SamplingSettings,
  StratumSettings,
  WhenSettings,
  AttributeWhen,
  ScalarValue,
  OutcomeFlag,
  AlwaysTrigger,
  OutlierSettings,
  BudgetSettings,
  ModelPrice,
} from './settings.ts';
export { SamplingSettingsError } from './settings.ts';
export { AttributePolicy } from './attribute.ts';
export { HasToolCallsPolicy } from './has-tool-calls.ts';
export { OutcomePolicy } from './outcome.ts';
export { ErrorStatusPolicy } from './error-status.ts';
export { CheckFailedPolicy } from './check-failed.ts';
export { AndPolicy } from './and.ts';
export { OrPolicy } from './or.ts';
export { NotPolicy } from './not.ts';
export { LatencyOutlierPolicy } from './latency-outlier.ts';
export type { LatencyOutlierOptions } from './latency-outlier.ts';
export { TokenOutlierPolicy } from './token-outlier.ts';
export type { TokenOutlierOptions } from './token-outlier.ts';
export { RollingQuantiles } from './rolling-quantiles.ts';
export { loadConversationHash } from './conversation-hash.ts';
export type { ConversationHash } from './conversation-hash.ts';
export { JudgeBudget, MIN_RATE_MULTIPLIER } from './judge-budget.ts';
export type { JudgeBudgetOptions, BudgetReservation, BudgetStats } from './judge-budget.ts';
export { PriceTable, turnInferenceCost, turnTextChars, estimateJudgeCost } from './prices.ts';
export type { InferenceCost, JudgeCostModel } from './prices.ts';
export { StratifiedSampler, UNMATCHED_STRATUM } from './stratified-sampler.ts';
export type { Stratum, Trigger, StratifiedSamplerOptions } from './stratified-sampler.ts';
export type { SamplingStats, StratumStats } from './sampling-stats.ts';
export { buildSampler, samplerFromSettings, buildPolicy } from './build-sampler.ts';
