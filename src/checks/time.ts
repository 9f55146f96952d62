import type { Conversation, Turn } from '../model/conversation.ts';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { Check } from './check.ts';
import { commitmentResult } from './commitment-result.ts';
import type { CheckedValue } from './commitment-result.ts';
import type { Support } from './grounding.ts';
import { indexSourceOf } from './options.ts';
import type { CommitmentCheckOptions } from './options.ts';
import { DEFAULT_MAX_SCANNED_CHARS, replyFactsOf } from './reply-facts.ts';

const STATED: Support = { step: 'stated' };

/**
 * `commitment.time`: every clock time the reply states (an appointment, a
 * slot, an opening hour) appears in the conversation's sources. Times are not
 * derived: "an hour after your 14:00 slot" is a new claim.
 */
export function createTimeCheck(options: CommitmentCheckOptions = {}): Check {
  const maxScannedChars = options.maxScannedChars ?? DEFAULT_MAX_SCANNED_CHARS;
  const indexFor = indexSourceOf(options);
  const name = 'commitment.time';
  return {
    name,
    evaluate(turn: Turn, conversation: Conversation): EvaluationResult[] {
      const facts = replyFactsOf(turn, maxScannedChars);
      if (facts.times.length === 0) return [];
      const index = indexFor(conversation);
      const checked: CheckedValue[] = [];
      for (const time of facts.times) {
        const support = index.hasTime(time.minutes, time.alternate) ? STATED : undefined;
        checked.push({ start: time.start, end: time.end, text: time.text, support });
      }
      return [commitmentResult(name, 'time', facts, checked)];
    },
  };
}

export const timeCheck: Check = createTimeCheck();
