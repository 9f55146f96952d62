import type { SpanView } from '../model/span-view.ts';

/**
 * What a sampling policy sees for one finished turn. Everything is passed in,
 * time included, so policies stay pure and replayable (STYLE.md, habit 4).
 */
export interface SamplingInput {
  /** DESIGN.md "Conversation key": gen_ai.conversation.id, else session ids, else the trace id. */
  readonly conversationId: string;
  /** The turn's spans: the turn span and its children (chat, tool, retrieval…). */
  readonly spans: readonly SpanView[];
  /** Wall time of the turn, in milliseconds. */
  readonly latencyMs: number;
  /** Input + output tokens of the turn's model calls. */
  readonly totalTokens: number;
  /** A deterministic check (src/checks) failed on this turn. */
  readonly checkFailed: boolean;
  /**
   * Characters of conversation text the judge would be sent; the judge cost is
   * estimated from it before any call is made. When absent, the text of the
   * turn's messages is counted.
   */
  readonly judgeInputChars?: number;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** A policy's answer: whether the turn satisfies it, and why, for explanations. */
export type PolicyVerdict = { readonly matched: true; readonly detail?: string } | { readonly matched: false };

export const MATCHED: PolicyVerdict = Object.freeze({ matched: true });
export const NOT_MATCHED: PolicyVerdict = Object.freeze({ matched: false });

export function verdict(matched: boolean): PolicyVerdict {
  return matched ? MATCHED : NOT_MATCHED;
}

/**
 * One small rule about a turn, after the OTel Collector's tail-sampling
 * policy evaluators: each policy is its own file, combinators are policies too.
 * `evaluate` never throws; stateful policies (outliers) observe every call.
 */
export interface SamplingPolicy {
  /** Short, stable, for explanations and metrics (e.g. `attribute app.flow lessThan 30`). */
  readonly description: string;
  evaluate(input: SamplingInput): PolicyVerdict;
}
