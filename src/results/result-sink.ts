import type { EvaluationResult } from '../model/evaluation-result.ts';

/** Where a batch of results came from: the span (and reply) they grade. */
export interface EvaluationTarget {
  /** The conversation key (`gen_ai.conversation.id`, or `trace:<traceId>` when none is known). */
  readonly conversationId: string;
  readonly traceId: string;
  readonly spanId: string;
  /** `gen_ai.response.id` of the graded reply, when the span recorded one. */
  readonly responseId?: string;
  /** The conversation's cohort (`app.*`), masked like everything written (metrics group by it). */
  readonly cohort?: Readonly<Record<string, string>>;
  /** Unix ms of the evaluated span's end, when known: the time the store records (not the write's). */
  readonly spanEndedAt?: number;
  /**
   * The conversation as the front door knows it, when it holds one (the online
   * stage's buffer, a test): for sinks that keep text (the store, review). Not masked.
   */
  readonly conversation?: ConversationSnapshot;
}

/** One line of a transcript as sinks keep it: who said it, and what (tool calls as `name(args) → result`). */
export interface TranscriptLine {
  readonly role: string;
  readonly text: string;
}

/** A conversation up to the graded reply, as plain text, with the facts aggregates need. */
export interface ConversationSnapshot {
  readonly userMessages: readonly string[];
  readonly transcript: readonly TranscriptLine[];
  /** Cohort attributes (`app.*`) of the conversation. */
  readonly cohort?: Readonly<Record<string, string>>;
  /** Sampling stratum and weight (1 / rate) of the conversation (DESIGN.md, "Sampling"). */
  readonly stratum?: string;
  readonly weight?: number;
}

/**
 * Where results go: span events, log-based events, metrics, the store, the
 * review queue. One small interface (DESIGN.md, "Extension points"); a sink in
 * the telemetry path must not throw.
 */
export interface ResultSink {
  write(results: readonly EvaluationResult[], target: EvaluationTarget): void | Promise<void>;
}
