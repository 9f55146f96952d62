import type { Attributes, HrTime, Span } from '@opentelemetry/api';
import { App } from '../src/model/attributes.ts';
import { appAttributes, describeType, warn } from './app-attributes.ts';
import { spanTime } from './clock.ts';
import type { AppAttributeValue, AppScalar } from './app-attributes.ts';

/**
 * Outcome signals: what happened for the user (escalated to a human, booking
 * made…). Each sets an `app.*` attribute, which sampling strata match on, and
 * adds an `app.outcome` event, which puts it on the trace timeline.
 */

export type UserFeedback = 'positive' | 'negative';
export type OutcomeAttributes = Readonly<Record<string, AppAttributeValue>>;

export interface OutcomeSignal {
  /** `app.outcome.name` on the event: the attribute name without `app.`. */
  readonly name: string;
  readonly attribute: string;
  readonly value: AppScalar;
  readonly eventAttributes: Attributes;
}

export interface OutcomeRecorder {
  /** Handed over to a human agent: `app.escalated=true`. */
  escalated(attributes?: OutcomeAttributes): void;
  /** `app.booking_made=true`. */
  bookingMade(attributes?: OutcomeAttributes): void;
  /** `app.ticket_created=true`. */
  ticketCreated(attributes?: OutcomeAttributes): void;
  /** `app.user_feedback=positive|negative`. */
  feedback(value: UserFeedback, attributes?: OutcomeAttributes): void;
  /** Any other outcome: `record('refund_issued')` sets `app.refund_issued=true`. */
  record(name: string, value?: AppScalar, attributes?: OutcomeAttributes): void;
}

/**
 * The event is stamped on the clock our spans start and end on (clock.ts): the SDK's own stamp
 * is on the span's anchored `Date.now()` clock and landed up to a millisecond outside the span
 * (measured: 6 of the demo's 103 events), where Jaeger hides it.
 */
export function applyOutcome(span: Span, signal: OutcomeSignal, time: HrTime = spanTime()): void {
  span.setAttribute(signal.attribute, signal.value);
  span.addEvent(
    App.OUTCOME_EVENT,
    {
      ...signal.eventAttributes,
      [App.OUTCOME_NAME]: signal.name,
      [signal.attribute]: signal.value,
    },
    time,
  );
}

function signal(attribute: string, value: AppScalar, attributes: unknown, where: string): OutcomeSignal {
  const name = attribute.startsWith(App.COHORT_PREFIX) ? attribute.slice(App.COHORT_PREFIX.length) : attribute;
  return { name, attribute, value, eventAttributes: appAttributes(attributes, `${where} attributes`) };
}

const OUTCOME_NAME = /^[A-Za-z0-9_.-]+$/;

/** `deliver` decides where a signal lands (turn span, conversation span, marker span). */
export function outcomeRecorder(deliver: (signal: OutcomeSignal) => void, where: string): OutcomeRecorder {
  return {
    escalated: (attributes) => deliver(signal(App.ESCALATED, true, attributes, `${where}.escalated`)),
    bookingMade: (attributes) => deliver(signal(App.BOOKING_MADE, true, attributes, `${where}.bookingMade`)),
    ticketCreated: (attributes) => deliver(signal(App.TICKET_CREATED, true, attributes, `${where}.ticketCreated`)),
    feedback(value, attributes) {
      if (value !== 'positive' && value !== 'negative') {
        const shown = typeof value === 'string' ? `"${value}"` : describeType(value);
        warn(`${where}.feedback: expected "positive" or "negative", got ${shown}; ignored`);
        return;
      }
      deliver(signal(App.USER_FEEDBACK, value, attributes, `${where}.feedback`));
    },
    record(name, value = true, attributes) {
      if (typeof name !== 'string' || !OUTCOME_NAME.test(name)) {
        warn(`${where}.record: "name" must be letters, digits, "_", "." or "-", got ${typeof name === 'string' ? `"${name}"` : describeType(name)}; ignored`);
        return;
      }
      const isScalar = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
      if (!isScalar) {
        warn(`${where}.record(${name}): "value" must be a string, number or boolean, got ${describeType(value)}; ignored`);
        return;
      }
      const attribute = name.startsWith(App.COHORT_PREFIX) ? name : `${App.COHORT_PREFIX}${name}`;
      deliver(signal(attribute, value, attributes, `${where}.record(${name})`));
    },
  };
}

export function conversationEndedSignal(attributes: unknown, where: string): OutcomeSignal {
  return signal(App.CONVERSATION_ENDED, true, attributes, where);
}
