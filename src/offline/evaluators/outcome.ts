import { passFail } from './reference-evaluator.ts';
import type { ReferenceEvaluator } from './reference-evaluator.ts';

/** The expected outcome (booking made, ticket created, escalated, or none) was reached. */
export const expectedOutcome: ReferenceEvaluator = {
  name: 'reference.outcome',
  evaluate({ row, outcomes }) {
    const expected = row.reference?.outcome;
    if (expected === undefined) return [];
    const reached = [...outcomes].sort();
    const pass = expected === 'none' ? reached.length === 0 : outcomes.has(expected);
    return [passFail('reference.outcome', pass, `expected ${expected}, reached ${reached.length ? reached.join(', ') : 'none'}`)];
  },
};
