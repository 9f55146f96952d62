import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { EvaluationTarget, ResultSink } from './result-sink.ts';

export interface LowScoreSinkOptions {
  /** Results scoring strictly below this go to review (`review.below`, default 0.5). */
  readonly below?: number;
  /** Counted when a batch is routed (e.g. EvaluationMetrics.lowScore). */
  readonly onRouted?: (result: EvaluationResult) => void;
}

/** A result that needs a human look: a score below the bar, or a check labelled `fail`. Failed evaluations (error) are not. */
export function isLowScore(result: EvaluationResult, below: number): boolean {
  if (result.error) return false;
  if (result.label === 'fail') return true;
  return typeof result.score === 'number' && Number.isFinite(result.score) && result.score < below;
}

/**
 * Passes on to `sink` only the results that need review (DESIGN.md, the loop:
 * low scores and failed checks → review queue). Wrap a JSON-lines file, a
 * webhook or the store's review queue with it.
 */
export class LowScoreSink implements ResultSink {
  readonly #sink: ResultSink;
  readonly #below: number;
  readonly #onRouted: ((result: EvaluationResult) => void) | undefined;

  constructor(sink: ResultSink, options: LowScoreSinkOptions = {}) {
    this.#sink = sink;
    this.#below = options.below ?? 0.5;
    this.#onRouted = options.onRouted;
  }

  write(results: readonly EvaluationResult[], target: EvaluationTarget): void | Promise<void> {
    const low = results.filter((result) => isLowScore(result, this.#below));
    if (low.length === 0) return;
    if (this.#onRouted) for (const result of low) this.#onRouted(result);
    return this.#sink.write(low, target);
  }
}
