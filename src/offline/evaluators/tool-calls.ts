import { isDeepStrictEqual } from 'node:util';
import { passFail } from './reference-evaluator.ts';
import type { ReferenceEvaluator } from './reference-evaluator.ts';

function argumentsMatch(expected: Record<string, unknown> | undefined, actual: Record<string, unknown> | undefined): boolean {
  if (expected === undefined) return true;
  return Object.entries(expected).every(([key, value]) => actual !== undefined && isDeepStrictEqual(actual[key], value));
}

/**
 * Every expected tool call was made with the expected arguments (each given
 * key deep-equal; extra keys and extra calls allowed). Score = share found.
 */
export const expectedToolCalls: ReferenceEvaluator = {
  name: 'reference.tool_calls',
  evaluate({ row, toolCalls }) {
    const expected = row.reference?.expectedToolCalls;
    if (expected === undefined || expected.length === 0) return [];
    const unused = [...toolCalls];
    const missing: string[] = [];
    for (const call of expected) {
      const index = unused.findIndex((made) => made.name === call.name && argumentsMatch(call.arguments, made.arguments));
      if (index === -1) missing.push(`${call.name}(${JSON.stringify(call.arguments ?? {})})`);
      else unused.splice(index, 1);
    }
    const made = toolCalls.map((call) => call.name).join(', ') || 'none';
    return [
      passFail('reference.tool_calls', missing.length === 0, missing.length === 0 ? `made: ${made}` : `missing: ${missing.join('; ')}; made: ${made}`,
        (expected.length - missing.length) / expected.length),
    ];
  },
};
