import { join } from 'node:path';
import type { ConversationRecord } from '../../../src/store/index.ts';
import { makeTempDir } from '../../support/temp-dir.ts';

export function tempStorePath(): string {
  return join(makeTempDir('tracejudge-store-'), 'tracejudge.db');
}

let next = 0;
/** A judged conversation in one line; scores default to one faithfulness judgment. */
export function conversationRecord(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  next += 1;
  return {
    conversationId: `conv-${next}`,
    // Zero-padded first: `trace-1` and `trace-10` padded with zeros at the end would be the same id.
    traceId: `trace-${String(next).padStart(8, '0')}`.padEnd(32, '0'),
    spanId: `span-${String(next).padStart(8, '0')}`.padEnd(16, '0'),
    recordedAt: 1_000_000,
    stratum: 'routine',
    weight: 10,
    cohort: { 'app.vertical': 'restaurants' },
    userMessages: ['Is there a table for two at 20:00?'],
    transcript: [
      { role: 'user', text: 'Is there a table for two at 20:00?' },
      { role: 'assistant', text: 'Yes, booked for 20:00.' },
    ],
    scores: [{ name: 'faithfulness', score: 0.25, label: 'unfaithful', source: 'judge' }],
    ...overrides,
  };
}
