import { normalizeText } from './normalize-text.ts';
import { passFail } from './reference-evaluator.ts';
import type { ReferenceEvaluator } from './reference-evaluator.ts';

/** `reference.answer` vs the reply: byte-exact (trimmed) and normalized (case, accents, punctuation, spaces). */
export const exactMatch: ReferenceEvaluator = {
  name: 'reference.exact_match',
  evaluate({ row, output }) {
    const expected = row.reference?.answer;
    if (expected === undefined) return [];
    const exact = output.reply.trim() === expected.trim();
    const normalized = normalizeText(output.reply) === normalizeText(expected);
    return [
      passFail('reference.exact_match', exact, exact ? 'reply equals the reference answer' : 'reply differs from the reference answer'),
      passFail('reference.normalized_match', normalized, normalized ? 'equal after normalization' : 'differs after normalization'),
    ];
  },
};
