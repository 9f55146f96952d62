import { describe, expect, it } from 'vitest';
import { loadLabelledRows, scoreChecks } from './precision-recall.ts';

const rows = loadLabelledRows();

describe('labelled replies (test/checks/fixtures/labelled-replies.jsonl)', () => {
  it('cover at least 150 rows, the five first verticals and seven languages, with every label present', () => {
    expect(rows.length).toBeGreaterThanOrEqual(150);
    expect([...new Set(rows.map((row) => row.vertical))]).toEqual(expect.arrayContaining(['clinic', 'salon', 'bank', 'ecommerce', 'it']));
    expect(new Set(rows.map((row) => row.lang))).toEqual(new Set(['en', 'es', 'de', 'fr', 'it', 'pt', 'nl']));
    for (const check of ['commitment.price', 'commitment.time', 'commitment.refund']) {
      const labels = new Set(rows.map((row) => row.expected[check]));
      expect(labels, check).toEqual(new Set(['pass', 'fail', null]));
    }
  });

  const { scores } = scoreChecks(rows);
  it.each(scores.map((score) => [score.check, score] as const))('%s finds failures with precision and recall ≥ 0.9', (_check, score) => {
    expect(score.precision).toBeGreaterThanOrEqual(0.9);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
  });
});
