import { normalizeText } from './normalize-text.ts';
import { passFail } from './reference-evaluator.ts';
import type { ReferenceEvaluator } from './reference-evaluator.ts';

/**
 * Facts the reply must contain / must not contain (normalized substring match).
 * Score = share of facts honoured; pass only when all are.
 */
export const facts: ReferenceEvaluator = {
  name: 'reference.facts',
  evaluate({ row, output }) {
    const reply = normalizeText(output.reply);
    const results = [];
    const mustContain = row.reference?.mustContain ?? [];
    if (mustContain.length > 0) {
      const missing = mustContain.filter((fact) => !reply.includes(normalizeText(fact)));
      results.push(
        passFail('reference.must_contain', missing.length === 0, missing.length === 0 ? 'every fact present' : `missing: ${missing.join('; ')}`,
          (mustContain.length - missing.length) / mustContain.length),
      );
    }
    const mustNotContain = row.reference?.mustNotContain ?? [];
    if (mustNotContain.length > 0) {
      const present = mustNotContain.filter((fact) => reply.includes(normalizeText(fact)));
      results.push(
        passFail('reference.must_not_contain', present.length === 0, present.length === 0 ? 'no forbidden fact' : `present: ${present.join('; ')}`,
          (mustNotContain.length - present.length) / mustNotContain.length),
      );
    }
    return results;
  },
};
