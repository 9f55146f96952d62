import type { EvaluationResult } from '../../model/evaluation-result.ts';
import type { AgentOutput } from '../agent.ts';
import type { DatasetRow } from '../dataset/index.ts';
import type { RunTrace } from '../run-trace.ts';

/** One finished run of one dataset row: what the agent said and did. */
export interface RunCase {
  readonly row: DatasetRow;
  readonly output: AgentOutput;
  /** Tool calls and outcomes: the agent's own report first, else what its spans show. */
  readonly toolCalls: readonly { readonly name: string; readonly arguments?: Record<string, unknown> }[];
  readonly outcomes: ReadonlySet<string>;
  readonly trace: RunTrace;
}

/**
 * An evaluator that compares a run with the row's `reference`. It returns no
 * result when the row has nothing for it to compare (not applicable is not a
 * pass), so pass rates are over the rows that state the expectation.
 */
export interface ReferenceEvaluator {
  readonly name: string;
  evaluate(run: RunCase, signal: AbortSignal): EvaluationResult[] | Promise<EvaluationResult[]>;
}

export function passFail(name: string, pass: boolean, explanation: string, score = pass ? 1 : 0): EvaluationResult {
  return { name, score, label: pass ? 'pass' : 'fail', explanation, source: 'deterministic' };
}
