import type { Conversation, Turn } from '../model/conversation.ts';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { Check } from './check.ts';
import { priceCheck } from './price.ts';
import { refundCheck } from './refund.ts';
import { timeCheck } from './time.ts';

/** The built-in checks: a new check is a new file, joined here (STYLE.md, habit 1). */
export const builtinChecks: readonly Check[] = [priceCheck, timeCheck, refundCheck];

/**
 * Runs each check on the turn. Never throws: a check that throws (or returns
 * something that is not a list) yields a result with `error` instead, so the
 * span flows on and the other checks still run (DESIGN.md, "Non-negotiables").
 */
export function runChecks(checks: readonly Check[], turn: Turn, conversation: Conversation): EvaluationResult[] {
  const results: EvaluationResult[] = [];
  for (let i = 0; i < checks.length; i++) {
    let name = `checks[${i}]`;
    try {
      const check = checks[i];
      name = String(check.name);
      const produced = check.evaluate(turn, conversation);
      if (!Array.isArray(produced)) {
        results.push(errorResult(name, 'InvalidCheckResult', `check ${name} returned ${typeof produced}, not a list of results`));
      } else {
        for (const result of produced) results.push(result);
      }
    } catch (error) {
      results.push(errorResult(name, errorType(error), errorMessage(error)));
    }
  }
  return results;
}

function errorResult(name: string, type: string, message: string): EvaluationResult {
  return { name, source: 'deterministic', explanation: `check failed to run: ${message}`, error: { type, message } };
}

// semconv `error.type`: the exception's class name, `_OTHER` when there is none.
function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || '_OTHER';
  return '_OTHER';
}

function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
