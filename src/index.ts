/**
 * tracejudge: vendor-neutral evaluation of LLM agents on OpenTelemetry.
 *
 * The package root is the curated library surface. What an agent imports to be
 * traced lives in `tracejudge/instrumentation`; what plugs into an SDK pipeline
 * in `tracejudge/processors`.
 */

// The normalized model every evaluator reads.
export {
  App,
  GenAI,
  OpenInference,
  OpenLLMetry,
  normalizeSpan,
  groundingSourcesOf,
  replyOf,
  resolveConversationKey,
  spanRecordFromReadable,
  messageText,
} from './model/index.ts';
export type {
  Conversation,
  GroundingSource,
  Turn,
  EvaluationResult,
  EvaluationSource,
  Message,
  MessagePart,
  ToolCall,
  SpanRecord,
  SpanView,
  OutcomeSignals,
} from './model/index.ts';

// Deterministic checks (run inline on 100% of spans).
export { builtinChecks, runChecks, priceCheck, timeCheck, refundCheck, createPriceCheck, createTimeCheck, createRefundCheck } from './checks/index.ts';
export type { Check, CommitmentCheckOptions } from './checks/index.ts';

// Result telemetry and sinks.
export { evaluationEventAttributes, EVALUATION_RESULT_EVENT, EvaluationAttributes, TracejudgeAttributes } from './results/index.ts';
export type { ResultSink, EvaluationTarget as ResultTarget } from './results/index.ts';
// Score metrics and their export (docs/online-evaluation.md, "Metrics").
export { EvaluationMetrics, startMetricsExport } from './results/index.ts';
export type { EvaluationMetricsOptions, MetricsExport, MetricsExportOptions } from './results/index.ts';

// Personal-data masking, applied before anything leaves (docs/review.md, "Personal data").
export { PiiMasker, PiiPatternError } from './privacy/index.ts';
export type { CustomPiiPattern, PiiMaskerOptions } from './privacy/index.ts';

// Configuration: one schema for library and CLI.
export { loadConfig, parseConfig, resolveConfig, ConfigError, TracejudgeConfigSchema } from './config/index.ts';
export type { TracejudgeConfig, TracejudgeConfigInput } from './config/index.ts';

// Sampling and the LLM judge (online evaluation).
export { buildSampler, StratifiedSampler, decisionAttributes, SamplingAttributes } from './sampling/index.ts';
export type { Decision, SamplingPolicy, SamplingInput } from './sampling/index.ts';
export { LlmJudge, CompositeEvaluator, BUILTIN_RUBRICS, RubricRegistry } from './judge/index.ts';
export type { Evaluator, JudgeTarget, Rubric } from './judge/index.ts';

// One-call setup: a NodeSDK with the evaluation processor (inline checks; sampling and the judge per config).
export { setupTracejudge } from './setup.ts';
export type { SetupOptions as TracejudgeSetupOptions, TracejudgeSetup, SetupStats as TracejudgeSetupStats } from './setup.ts';
