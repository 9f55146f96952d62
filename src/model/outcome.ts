import { App } from './attributes.ts';
import { readBoolean, readString } from './decode.ts';
import type { ReadContext } from './decode.ts';
import type { OutcomeSignals } from './span-view.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type OutcomeDraft = Mutable<OutcomeSignals>;

const BOOLEAN_OUTCOMES: Readonly<Record<string, 'escalated' | 'bookingMade' | 'ticketCreated' | 'conversationEnded'>> = {
  [App.ESCALATED]: 'escalated',
  [App.BOOKING_MADE]: 'bookingMade',
  [App.TICKET_CREATED]: 'ticketCreated',
  [App.CONVERSATION_ENDED]: 'conversationEnded',
};

/**
 * One `app.*` attribute: an outcome signal, or else a cohort dimension (every
 * scalar `app.*` attribute is one, stringified, so strata can match on it).
 * Outcome keys never enter the cohort: they are results, not who the user is.
 */
export function readAppAttribute(
  key: string,
  value: unknown,
  outcome: OutcomeDraft,
  cohort: Record<string, string>,
  ctx: ReadContext,
): void {
  const signal = BOOLEAN_OUTCOMES[key];
  if (signal !== undefined) {
    const flag = readBoolean(key, value, ctx);
    if (flag !== undefined) outcome[signal] = flag;
    return;
  }
  if (key === App.USER_FEEDBACK) {
    const feedback = readString(key, value, ctx);
    if (feedback !== undefined) outcome.userFeedback = feedback;
    return;
  }
  // Carried by the outcome event, not a cohort dimension.
  if (key === App.OUTCOME_NAME) return;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint') cohort[key] = String(value);
}
