import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { ToolCall } from '../model/messages.ts';
import type { OutcomeSignals } from '../model/span-view.ts';

/**
 * One turn of a conversation as the evaluator sees it, in the order it
 * happened: the user's messages, the tool calls the agent made (with their
 * arguments and results), then the assistant's reply.
 */
export interface TranscriptTurn {
  readonly userMessages: readonly string[];
  readonly toolCalls: readonly ToolCall[];
  readonly assistantReplies: readonly string[];
  /** Where the turn was recorded, for provenance. */
  readonly traceId?: string;
  readonly spanId?: string;
}

/** How the sampler chose this conversation; weight = 1 / rate, to reweight aggregates. */
export interface SamplingContext {
  readonly stratum: string;
  readonly weight: number;
}

/**
 * What an evaluator judges: the conversation up to and including the judged
 * turn (the last of `turns`), with everything the agent saw. Every string in
 * it came from traces, so it is untrusted text (DESIGN.md, "Non-negotiables").
 */
export interface EvaluationTarget {
  readonly conversationId: string;
  /** The judged span (the turn's span): results land on it. */
  readonly traceId: string;
  readonly spanId: string;
  /** `gen_ai.response.id` of the judged reply, to correlate when the span is gone. */
  readonly responseId?: string;
  readonly systemInstructions: readonly string[];
  /** Oldest first; the last turn is the one judged. */
  readonly turns: readonly TranscriptTurn[];
  /** Retrieved documents the agent was given, if any. */
  readonly retrievedContext?: readonly string[];
  readonly outcome: OutcomeSignals;
  /** Cohort attributes (`app.*`), as strings. */
  readonly cohort: Readonly<Record<string, string>>;
  readonly sampling?: SamplingContext;
}

/** The LLM judge's name for its target; the same shape every evaluator gets. */
export type JudgeTarget = EvaluationTarget;

/**
 * An evaluator that takes time or money (DESIGN.md, "Extension points"). The
 * LLM judge is one; a user-written one plugs in the same way, and the offline
 * runner uses exactly the same ones:
 *
 * ```ts
 * const replyLength: Evaluator = {
 *   name: 'reply_length',
 *   async evaluate(target) {
 *     const reply = target.turns.at(-1)?.assistantReplies.join('\n') ?? '';
 *     const score = reply.length <= 600 ? 1 : 0;
 *     return [{ name: 'reply_length', score, label: score ? 'pass' : 'fail', source: 'deterministic' }];
 *   },
 * };
 * ```
 *
 * Contract: resolve with results (failures carry `error`), never reject for a
 * failure of the thing judged or of the judge, and stop work when `signal` aborts.
 */
export interface Evaluator {
  readonly name: string;
  evaluate(target: EvaluationTarget, signal?: AbortSignal): Promise<EvaluationResult[]>;
}
