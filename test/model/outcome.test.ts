import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { spanRecord } from './builders.ts';

describe('outcome signals and cohort', () => {
  it('reads every outcome flag, with booleans sent as strings', () => {
    const view = normalizeSpan(
      spanRecord({
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'app.escalated': 'true',
          'app.booking_made': false,
          'app.ticket_created': 'false',
          'app.conversation_ended': true,
          'app.user_feedback': 'negative',
        },
      }),
    );
    expect(view.problems).toEqual([]);
    expect(view.outcome).toEqual({ escalated: true, bookingMade: false, ticketCreated: false, conversationEnded: true, userFeedback: 'negative' });
  });

  it('makes every scalar app.* attribute a cohort dimension, stringified, outcome keys excluded', () => {
    const view = normalizeSpan(
      spanRecord({
        attributes: {
          'app.vertical': 'hotels',
          'app.language': 'de',
          'app.flow.age_days': 12,
          'app.beta': true,
          'app.tenant_id': 77n,
          'app.tags': ['a', 'b'],
          'app.escalated': true,
          'app.user_feedback': 'positive',
          'app.outcome.name': 'booking_made',
          'application.name': 'not ours',
        },
      }),
    );
    expect(view.cohort).toEqual({
      'app.vertical': 'hotels',
      'app.language': 'de',
      'app.flow.age_days': '12',
      'app.beta': 'true',
      'app.tenant_id': '77',
    });
  });
});
