import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';

/**
 * The names of result telemetry. Only `src/results/` writes them (STYLE.md habit 3).
 * GenAI evaluation names are copied from semantic-conventions-genai (status:
 * Development) rather than imported from the `incubating` entry point, as the
 * semconv JS package advises for unstable names.
 */

/** Semconv event `gen_ai.evaluation.result`, SHOULD be parented to the evaluated span. */
export const EVALUATION_RESULT_EVENT = 'gen_ai.evaluation.result';

export const EvaluationAttributes = {
  NAME: 'gen_ai.evaluation.name',
  /** A double; the JS OTLP serializer writes whole numbers (0, 1) as intValue, so readers accept both. */
  SCORE_VALUE: 'gen_ai.evaluation.score.value',
  SCORE_LABEL: 'gen_ai.evaluation.score.label',
  EXPLANATION: 'gen_ai.evaluation.explanation',
  /** Correlates the result with a response when the span id is unknown. */
  RESPONSE_ID: 'gen_ai.response.id',
  /** Set only when the evaluation itself failed (stable semconv `error.type`). */
  ERROR_TYPE: ATTR_ERROR_TYPE,
} as const;

/** Our extras: everything tracejudge adds beyond semconv lives under `tracejudge.`. */
export const TRACEJUDGE_PREFIX = 'tracejudge.';

export const TracejudgeAttributes = {
  /** `deterministic` | `judge` | `human`. */
  EVALUATION_SOURCE: 'tracejudge.evaluation.source',
  /** The message of a failed evaluation (`error.type` holds its low-cardinality type). */
  ERROR_MESSAGE: 'tracejudge.error.message',
  CONVERSATION_ID: 'tracejudge.conversation.id',
  /** Notes on span content that could not be read (malformed JSON, wrong types, size caps). */
  SPAN_PROBLEMS: 'tracejudge.span.problems',
} as const;

/**
 * Span event recorded when a span's content could not be (fully) read, so the
 * reason is visible on the span even when no check could run.
 */
export const CONTENT_PROBLEM_EVENT = 'tracejudge.content.problem';
