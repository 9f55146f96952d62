import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { EvaluationTarget, Evaluator } from './evaluator.ts';

/**
 * Several evaluators as one (a combinator is an evaluator too, as in the
 * Collector's composite policy). They run side by side; one that throws,
 * or resolves with something that is not a list, costs only its own results:
 * it is reported as an `evaluator_failed` result (source `judge`: the
 * evaluator's own kind is unknown), the others still count.
 */
export class CompositeEvaluator implements Evaluator {
  readonly name: string;
  readonly #evaluators: readonly Evaluator[];

  constructor(evaluators: readonly Evaluator[], name = 'composite') {
    this.name = name;
    this.#evaluators = evaluators;
  }

  async evaluate(target: EvaluationTarget, signal?: AbortSignal): Promise<EvaluationResult[]> {
    // Called inside an async arrow: an evaluator that throws before returning a promise is a rejection like any other.
    const settled = await Promise.allSettled(this.#evaluators.map(async (evaluator) => evaluator.evaluate(target, signal)));
    const results: EvaluationResult[] = [];
    settled.forEach((outcome, index) => {
      const evaluator = this.#evaluators[index];
      if (outcome.status === 'fulfilled' && Array.isArray(outcome.value)) {
        results.push(...outcome.value);
        return;
      }
      const message =
        outcome.status === 'rejected'
          ? `evaluator "${evaluator.name}" threw: ${describe(outcome.reason)}`
          : `evaluator "${evaluator.name}" resolved with ${typeof outcome.value}, expected a list of results`;
      results.push({ name: evaluator.name, source: 'judge', error: { type: 'evaluator_failed', message } });
    });
    return results;
  }
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
