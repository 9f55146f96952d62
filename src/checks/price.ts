import type { Conversation, Turn } from '../model/conversation.ts';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { Check } from './check.ts';
import { commitmentResult } from './commitment-result.ts';
import type { CheckedValue } from './commitment-result.ts';
import { DEFAULT_MAX_SCANNED_CHARS, inWholeUnits, replyContextOf, replyFactsOf } from './reply-facts.ts';
import { indexSourceOf, maxLineItemsOf } from './options.ts';
import type { CommitmentCheckOptions } from './options.ts';

/**
 * `commitment.price`: every money amount the reply states (refund amounts
 * excepted: `commitment.refund` checks those) is grounded in the conversation.
 */
export function createPriceCheck(options: CommitmentCheckOptions = {}): Check {
  const maxScannedChars = options.maxScannedChars ?? DEFAULT_MAX_SCANNED_CHARS;
  const maxLineItems = maxLineItemsOf(options);
  const indexFor = indexSourceOf(options);
  const name = 'commitment.price';
  return {
    name,
    evaluate(turn: Turn, conversation: Conversation): EvaluationResult[] {
      const facts = replyFactsOf(turn, maxScannedChars);
      if (facts.prices.length === 0) return [];
      const index = indexFor(conversation);
      const context = replyContextOf(facts, maxLineItems);
      const checked: CheckedValue[] = [];
      for (const price of facts.prices) {
        const support = index.supportOf(price.minor, price.currency, context, inWholeUnits(price));
        checked.push({ start: price.start, end: price.end, text: price.text, support });
      }
      return [commitmentResult(name, 'price', facts, checked)];
    },
  };
}

export const priceCheck: Check = createPriceCheck();
