import type { OutcomeSignals } from '../model/span-view.ts';
import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { verdict } from './sampling-policy.ts';
import type { OutcomeFlag } from './settings.ts';

const FLAG_TESTS: Readonly<Record<OutcomeFlag, (outcome: OutcomeSignals) => boolean>> = {
  escalated: (o) => o.escalated === true,
  // instrumentation/outcomes records feedback as a label; `negative` is the one the app API writes.
  negativeFeedback: (o) => o.userFeedback !== undefined && o.userFeedback.toLowerCase() === 'negative',
  bookingMade: (o) => o.bookingMade === true,
  ticketCreated: (o) => o.ticketCreated === true,
  conversationEnded: (o) => o.conversationEnded === true,
};

/** An outcome signal the app recorded on some span of the turn (escalation, negative feedback…). */
export class OutcomePolicy implements SamplingPolicy {
  readonly description: string;
  readonly #test: (outcome: OutcomeSignals) => boolean;

  constructor(flag: OutcomeFlag) {
    this.#test = FLAG_TESTS[flag];
    this.description = `outcome ${flag}`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    for (const view of input.spans) if (this.#test(view.outcome)) return verdict(true);
    return verdict(false);
  }
}
