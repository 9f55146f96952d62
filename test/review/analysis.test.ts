import { describe, expect, it } from 'vitest';
import { agreementByRubric, coverage, estimatedJaccard, exactJaccard, hajekMean, MinHasher, shingles, weekOverWeek } from '../../src/review/index.ts';
import type { ReviewItem } from '../../src/store/index.ts';

const item = (evaluation: string, status: ReviewItem['status'], score: number, humanLabel?: string): ReviewItem =>
  ({ id: 1, evaluation, status, score, label: score < 0.5 ? 'fail' : 'pass', ...(humanLabel ? { humanLabel } : {}) }) as unknown as ReviewItem;

describe('agreementByRubric', () => {
  it("computes agreement and Cohen's kappa against a hand-worked table", () => {
    // Judge bad/good vs human bad/good: 3 agree-bad, 1 judge-bad-human-good, 1 judge-good-human-bad, 3 agree-good.
    const items = [
      ...Array.from({ length: 3 }, () => item('tone', 'confirmed', 0.2)),
      item('tone', 'rejected', 0.2),
      item('tone', 'relabelled', 0.8, 'fail'),
      ...Array.from({ length: 3 }, () => item('tone', 'confirmed', 0.9)),
      item('tone', 'pending', 0.1),
    ];
    const [tone] = agreementByRubric(items);
    // po = 6/8; judge bad 4/8, human bad 4/8 → pe = 0.5; κ = (0.75 − 0.5) / 0.5 = 0.5.
    expect(tone).toEqual({ evaluation: 'tone', n: 8, agreementRate: 0.75, kappa: 0.5 });
  });

  it('reports no kappa when only one class occurs', () => {
    expect(agreementByRubric([item('x', 'confirmed', 0.1), item('x', 'confirmed', 0.2)])).toEqual([{ evaluation: 'x', n: 2, agreementRate: 1 }]);
  });
});

describe('MinHash', () => {
  it('estimates Jaccard similarity of word shingles within a few points', () => {
    const hasher = new MinHasher(256);
    const a = 'can I change my booking for two people tonight to eight pm at the terrace please';
    const b = 'can I change my booking for two people tomorrow to eight pm at the terrace please';
    const exact = exactJaccard(shingles(a), shingles(b));
    expect(Math.abs(estimatedJaccard(hasher.signature(a), hasher.signature(b)) - exact)).toBeLessThan(0.1);
    expect(estimatedJaccard(hasher.signature(a), hasher.signature(a))).toBe(1);
    expect(estimatedJaccard(hasher.signature(a), hasher.signature('refund my broken blender order immediately'))).toBeLessThan(0.1);
  });
});

describe('coverage', () => {
  it('counts inputs with a near neighbour per cohort and clusters the rest', () => {
    const live = [
      { turns: ['I want to book a table for two tonight at eight'], cohort: { lang: 'en' } },
      { turns: ['i want to book a table for two tonight at eight please'], cohort: { lang: 'en' } },
      { turns: ['my refund for order 7731-2290 never arrived where is it'], cohort: { lang: 'en' } },
      { turns: ['my refund for order 7731-2290 never arrived where is it now'], cohort: { lang: 'es' } },
      { turns: ['quiero cancelar mi reserva de mañana por la noche'], cohort: { lang: 'es' } },
    ];
    const report = coverage(live, ['I want to book a table for two tonight at eight'], { threshold: 0.5 });
    expect(report).toMatchObject({ total: 5, covered: 2, share: 0.4 });
    expect(report.byCohort).toEqual([
      { cohort: 'lang=en', total: 3, covered: 2, share: 2 / 3 },
      { cohort: 'lang=es', total: 2, covered: 0, share: 0 },
    ]);
    expect(report.uncoveredClusters.map((cluster) => cluster.size)).toEqual([2, 1]);
    expect(report.uncoveredClusters[0]!.examples[0]).toContain('refund');
  });

  it('compares every user turn: rows and conversations that open with a greeting are matched on what they are about', () => {
    const rows = [['Hello!', 'I want to book a table for two tonight at eight'], ['Hi', 'how much is the tasting menu on saturday']];
    const live = [
      { turns: ['Hello!', 'i want to book a table for two tonight at eight please', 'thanks'], cohort: { lang: 'en' } },
      { turns: ['Hello!', 'my refund for order 7731-2290 never arrived where is it'], cohort: { lang: 'en' } },
      { turns: ['good evening', 'what does the tasting menu cost', 'how much is the tasting menu on saturday'], cohort: { lang: 'en' } },
      { turns: [], cohort: { lang: 'en' } },
    ];
    const report = coverage(live, rows, { threshold: 0.5 });
    // The second opens with the same greeting as every row and is still uncovered; the third is covered by its third turn.
    expect(report).toMatchObject({ total: 4, covered: 2, withoutText: 1 });
    expect(report.uncoveredClusters).toEqual([{ size: 1, examples: ['my refund for order 7731-2290 never arrived where is it'] }]);
    // A greeting is no topic: "Hello!" alone matches nothing in rows that are about something.
    expect(coverage([{ turns: ['Hello!'], cohort: {} }], rows).covered).toBe(0);
    expect(coverage([{ turns: ['Hello!', 'where is my parcel from last week'], cohort: {} }], rows).covered).toBe(0);
  });
});

describe('drift', () => {
  const DAY = 86_400_000;
  const now = 100 * DAY;

  it('the Hájek mean reweights a stratified sample to the population', () => {
    // 10 sampled at rate 1.0 scoring 1, 10 sampled at rate 0.1 (weight 10) scoring 0: population mean 10/110.
    const sample = [...Array.from({ length: 10 }, () => ({ score: 1, weight: 1 })), ...Array.from({ length: 10 }, () => ({ score: 0, weight: 10 }))];
    const mean = hajekMean(sample)!;
    expect(mean.mean).toBeCloseTo(10 / 110, 10);
    expect(mean.population).toBe(110);
    expect(hajekMean([])).toBeUndefined();
  });

  it('names a cohort that dropped and not one that held steady', () => {
    const scores = [];
    for (let n = 0; n < 40; n++) {
      const score = n % 2 === 0 ? 0.9 : 0.8;
      scores.push({ evaluation: 'faithfulness', score, weight: 2, recordedAt: now - 10 * DAY, cohort: { vertical: 'shop' } });
      scores.push({ evaluation: 'faithfulness', score, weight: 2, recordedAt: now - 3 * DAY, cohort: { vertical: 'shop' } });
      scores.push({ evaluation: 'faithfulness', score, weight: 1, recordedAt: now - 10 * DAY, cohort: { vertical: 'food' } });
      scores.push({ evaluation: 'faithfulness', score: score - 0.5, weight: 1, recordedAt: now - 3 * DAY, cohort: { vertical: 'food' } });
    }
    const rows = weekOverWeek(scores, now);
    const byCohort = Object.fromEntries(rows.map((row) => [row.cohort, row]));
    expect(byCohort['vertical=food']).toMatchObject({ dropped: true });
    expect(byCohort['vertical=food']!.change).toBeCloseTo(-0.5, 10);
    expect(byCohort['vertical=food']!.high!).toBeLessThan(0);
    expect(byCohort['vertical=shop']).toMatchObject({ dropped: false, change: 0 });
    // Overall: food has weight 1, shop 2 → the drop is reweighted to a third.
    expect(byCohort['all']!.change).toBeCloseTo(-0.5 / 3, 10);
  });
});
