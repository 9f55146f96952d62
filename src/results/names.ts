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
  /** One judging of one target (shared by its rubrics' results): `<evaluated span id>@<epoch ms>`. */
  EVALUATION_ID: 'tracejudge.evaluation.id',
  /** On a re-judged conversation (it resumed after being judged): the id of the result this one replaces. */
  SUPERSEDES: 'tracejudge.evaluation.supersedes',
  /** Where a judge result landed: `span_event` (on the held span) or `child_span` (past the hold deadline). */
  DELIVERY: 'tracejudge.evaluation.delivery',
  /** Span-level summary of the span's evaluations (evaluation-summary.ts): found by a tag search, exactly. */
  FAILED: 'tracejudge.evaluation.failed',
  FAILED_NAMES: 'tracejudge.evaluation.failed_names',
  MIN_SCORE: 'tracejudge.evaluation.min_score',
  /** When the evaluation really happened (ISO 8601), for an event stamped at its span's end to stay in the span's range. */
  EVALUATED_AT: 'tracejudge.evaluated_at',
  /** Marks the `evaluate {rubric}` child spans tracejudge writes, so no stage mistakes them for agent spans. */
  EVALUATION_SPAN: 'tracejudge.evaluation.span',
} as const;

/** Name of the child span that carries judge results past the hold deadline: `evaluate {rubric}`. */
export const EVALUATION_SPAN_NAME_PREFIX = 'evaluate ';

/**
 * Metric names (OTel metrics API, meter `tracejudge`). Scores are a histogram;
 * the weighted sums let a dashboard reweight the sample to the population:
 * Σ(score × weight) / Σ(weight) per cohort is the Horvitz–Thompson mean.
 */
export const MetricNames = {
  SCORE: 'gen_ai.evaluation.score',
  WEIGHTED_SCORE: 'tracejudge.evaluation.weighted_score',
  WEIGHT: 'tracejudge.evaluation.weight',
  RESULTS: 'tracejudge.evaluation.results',
  REPLIES_CHECKED: 'tracejudge.replies.checked',
  CHECKS_FAILED: 'tracejudge.checks.failed',
  SAMPLING_DECISIONS: 'tracejudge.sampling.decisions',
  CONVERSATIONS_SAMPLED: 'tracejudge.sampling.conversations',
  JUDGE_CALLS: 'tracejudge.judge.calls',
  ERRORS: 'tracejudge.evaluation.errors',
  JUDGE_TOKENS: 'tracejudge.judge.tokens',
  JUDGE_COST: 'tracejudge.judge.cost',
  SHED: 'tracejudge.online.shed',
  HELD_SPANS: 'tracejudge.online.held_spans',
  OPEN_CONVERSATIONS: 'tracejudge.online.open_conversations',
  JUDGMENTS_IN_FLIGHT: 'tracejudge.online.judgments_in_flight',
  LOW_SCORES: 'tracejudge.review.low_scores',
  SINK_DROPS: 'tracejudge.sink.dropped',
} as const;

/** Metric attribute names that are ours (the semconv ones come from EvaluationAttributes). */
export const MetricAttributes = {
  STRATUM: 'tracejudge.sampling.stratum',
  REASON: 'tracejudge.sampling.reason',
  SAMPLED: 'tracejudge.sampling.sampled',
  SOURCE: 'tracejudge.evaluation.source',
  SHED_REASON: 'tracejudge.shed.reason',
  TOKEN_TYPE: 'gen_ai.token.type',
  SINK: 'tracejudge.sink',
} as const;

/**
 * Span event recorded when a span's content could not be (fully) read, so the
 * reason is visible on the span even when no check could run.
 */
export const CONTENT_PROBLEM_EVENT = 'tracejudge.content.problem';
