/** What plugs into an OTel SDK pipeline (and the shared core the collector and CLI drive). */
export { EvaluationSpanProcessor, type EvaluationSpanProcessorOptions, type ProcessorStats } from './evaluation-span-processor.ts';
export { EvaluationPipeline, type EvaluationPipelineOptions, type PipelineStats, type StartedSpan } from './evaluation-pipeline.ts';
export { GenAIContentLogProcessor, type ContentIntake, type GenAIContentLogProcessorStats } from './genai-content-log-processor.ts';
export { DEFAULT_CONTENT_JOIN_LIMITS, type ContentJoinLimits, type ContentJoinStats, type SpanContentRecord } from './content-join.ts';
export { InlineChecksStage } from './inline-checks-stage.ts';
export type { ForwardSpan, SpanStage } from './span-stage.ts';
export { DEFAULT_CONVERSATION_LIMITS, type ConversationLimits } from './conversation-memory.ts';
export { builtinChecksWith, pipelineOptionsFromConfig, selectChecks } from './from-config.ts';
export type { MutableSpanTarget } from '../src/results/index.ts';
export * from './online/index.ts';
