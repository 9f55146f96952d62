export { evaluationEventAttributes, type EvaluationEventExtras } from './event-attributes.ts';
export { CONTENT_PROBLEM_EVENT, EVALUATION_RESULT_EVENT, EvaluationAttributes, TRACEJUDGE_PREFIX, TracejudgeAttributes } from './names.ts';
export type { EvaluationTarget, ResultSink } from './result-sink.ts';
export { contentProblemAttributes, SpanEventSink, type MutableSpanTarget } from './span-event-sink.ts';
