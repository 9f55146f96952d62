import { describe, expect, it } from 'vitest';
import { parseRows } from '../../src/offline/dataset/index.ts';
import { harvestRows, rowFromItem } from '../../src/review/index.ts';
import type { ReviewItem } from '../../src/store/index.ts';

const item = (id: number, text: string): ReviewItem => ({
  id,
  conversationId: `conv-${id}`,
  traceId: `trace${id}`.padEnd(32, '0'),
  spanId: `span${id}`.padEnd(16, '0'),
  evaluation: 'faithfulness',
  score: 0.25,
  label: 'unfaithful',
  source: 'judge',
  stratum: 'routine',
  weight: 10,
  cohort: { 'app.vertical': 'clinic' },
  userMessages: [text],
  transcript: [{ role: 'user', text }],
  recordedAt: 1,
  queuedAt: 2,
  reason: 'below 0.5',
  status: 'confirmed',
  note: 'made up a price',
});

describe('harvested rows carry their provenance in the dataset schema', () => {
  it('a harvested row validates with trace, span, conversation and review item ids in provenance', () => {
    const row = rowFromItem(item(7, 'What does a dermatology consultation cost?'), [], '2026-12-01T10:00:00.000Z');
    const { rows, problems } = parseRows(JSON.stringify(row));
    expect(problems).toEqual([]);
    expect(rows[0]!.provenance).toEqual({
      source: 'harvested',
      traceId: 'trace7'.padEnd(32, '0'),
      spanId: 'span7'.padEnd(16, '0'),
      conversationId: 'conv-7',
      reviewItemId: 7,
      addedAt: '2026-12-01T10:00:00.000Z',
    });
    expect(rows[0]!.metadata).toEqual({ review: { evaluation: 'faithfulness', score: 0.25, judgeLabel: 'unfaithful', note: 'made up a price' } });
  });

  it('rows written before these fields still load, and a bad review item id is named', () => {
    expect(parseRows(JSON.stringify({ id: 'old', input: 'hi', provenance: { source: 'harvested', traceId: 'abc' } })).problems).toEqual([]);
    const { problems } = parseRows(JSON.stringify({ id: 'bad', input: 'hi', provenance: { source: 'harvested', reviewItemId: 'seven' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^provenance\.reviewItemId: /);
  });

  it('deduplicates by input against the dataset and among the items', () => {
    const { rows, duplicates } = harvestRows([item(1, 'Price of  X?'), item(2, 'price of x?'), item(3, 'Slots on Friday?')], ['Slots on friday?']);
    expect(rows.map((row) => row.provenance.reviewItemId)).toEqual([1]);
    expect(duplicates.map((entry) => entry.id)).toEqual([2, 3]);
  });
});
