import type { Conversation, Turn } from '../model/conversation.ts';
import type { EvaluationResult } from '../model/evaluation-result.ts';

/**
 * A deterministic check: synchronous, pure, cheap (microseconds). Runs inline
 * on 100% of spans, so it must not allocate much or read clocks.
 * Returns no result when the reply makes no claim of the kind it checks.
 */
export interface Check {
  readonly name: string;
  evaluate(turn: Turn, conversation: Conversation): EvaluationResult[];
}
