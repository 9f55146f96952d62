import { exactMatch } from './exact-match.ts';
import { facts } from './facts.ts';
import { expectedOutcome } from './outcome.ts';
import type { ReferenceEvaluator } from './reference-evaluator.ts';
import { expectedToolCalls } from './tool-calls.ts';

export type { ReferenceEvaluator, RunCase } from './reference-evaluator.ts';
export { exactMatch, expectedOutcome, expectedToolCalls, facts };
export { semanticEquivalence, type SemanticEquivalenceOptions } from './semantic-equivalence.ts';
export { normalizeText } from './normalize-text.ts';

/** The reference evaluators that need no model; a new one is a file here and a line in this list. */
export const builtinReferenceEvaluators: readonly ReferenceEvaluator[] = [exactMatch, facts, expectedOutcome, expectedToolCalls];
