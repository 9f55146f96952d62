export { evaluationEventAttributes, type EvaluationEventExtras } from './event-attributes.ts';
export {
  CONTENT_PROBLEM_EVENT,
  EVALUATION_RESULT_EVENT,
  EVALUATION_SPAN_NAME_PREFIX,
  EvaluationAttributes,
  MetricAttributes,
  MetricNames,
  TRACEJUDGE_PREFIX,
  TracejudgeAttributes,
} from './names.ts';
export type { EvaluationTarget, ResultSink } from './result-sink.ts';
export { contentProblemAttributes, SpanEventSink, type MutableSpanTarget } from './span-event-sink.ts';
export { EvaluationMetrics, type EvaluationMetricsOptions, type ResultContext, type ShedReason } from './metrics.ts';
export { startMetricsExport, type MetricsExport, type MetricsExportOptions } from './metrics-export.ts';
export { LowScoreSink, isLowScore, type LowScoreSinkOptions } from './low-score-sink.ts';
export { JsonlFileSink, type JsonlFileSinkOptions, type JsonlFileSinkStats, type JsonlResultLine } from './jsonl-file-sink.ts';
export { WebhookSink, type WebhookPayload, type WebhookSinkOptions, type WebhookSinkStats } from './webhook-sink.ts';
export { appendEvents, evaluationChildSpan, resultEvents, type ChildSpanInit, type JudgeResultContext } from './evaluation-span.ts';
export { LogEventSink, type LogEventSinkOptions, type LogEventSinkStats } from './log-event-sink.ts';
