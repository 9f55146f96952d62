import type { Conversation, Turn } from '../model/conversation.ts';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { Check } from './check.ts';
import { commitmentResult } from './commitment-result.ts';
import type { CheckedValue } from './commitment-result.ts';
import type { Support } from './grounding.ts';
import { indexSourceOf, maxLineItemsOf } from './options.ts';
import type { CommitmentCheckOptions } from './options.ts';
import { DEFAULT_MAX_SCANNED_CHARS, inWholeUnits, replyContextOf, replyFactsOf } from './reply-facts.ts';

const STATED: Support = { step: 'stated' };

/**
 * `commitment.refund`: every amount or percentage the reply promises as a
 * refund, reimbursement or credit is grounded: an amount as prices are
 * (stated, or one step away), a percentage only when a source states it.
 */
export function createRefundCheck(options: CommitmentCheckOptions = {}): Check {
  const maxScannedChars = options.maxScannedChars ?? DEFAULT_MAX_SCANNED_CHARS;
  const maxLineItems = maxLineItemsOf(options);
  const indexFor = indexSourceOf(options);
  const name = 'commitment.refund';
  return {
    name,
    evaluate(turn: Turn, conversation: Conversation): EvaluationResult[] {
      const facts = replyFactsOf(turn, maxScannedChars);
      if (facts.refunds.length === 0) return [];
      const index = indexFor(conversation);
      const context = replyContextOf(facts, maxLineItems);
      const checked: CheckedValue[] = [];
      for (const refund of facts.refunds) {
        const support =
          refund.kind === 'money'
            ? index.supportOf(refund.minor, refund.currency, context, inWholeUnits(refund))
            : index.hasPercent(refund.percent)
              ? STATED
              : undefined;
        checked.push({ start: refund.start, end: refund.end, text: refund.text, support });
      }
      return [commitmentResult(name, 'refund', facts, checked)];
    },
  };
}

export const refundCheck: Check = createRefundCheck();
