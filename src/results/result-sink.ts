import type { EvaluationResult } from '../model/evaluation-result.ts';

/** Where a batch of results came from: the span (and reply) they grade. */
export interface EvaluationTarget {
  /** The conversation key (`gen_ai.conversation.id`, or `trace:<traceId>` when none is known). */
  readonly conversationId: string;
  readonly traceId: string;
  readonly spanId: string;
  /** `gen_ai.response.id` of the graded reply, when the span recorded one. */
  readonly responseId?: string;
}

/**
 * Where results go: span events, log-based events, metrics, the store, the
 * review queue. One small interface (DESIGN.md, "Extension points"); a sink in
 * the telemetry path must not throw.
 */
export interface ResultSink {
  write(results: readonly EvaluationResult[], target: EvaluationTarget): void | Promise<void>;
}
