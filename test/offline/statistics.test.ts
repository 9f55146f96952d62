import { describe, expect, it } from 'vitest';
import {
  adjustPValues, compareMetric, dropPValue, evaluateGate, exactMcNemar, GATE_ALPHA, pairedDifference, pairedDifferenceOfCounts, parseGateRule, seededRandom,
} from '../../src/offline/index.ts';
import type { Comparison, MetricComparison } from '../../src/offline/index.ts';

/** The statistics against known answers, and their error rates measured by simulation (seeded: reproducible). */

function comparisonOf(metrics: MetricComparison[]): Comparison {
  const record = { name: 'x', datasetName: 'd', datasetVersion: 'v', repetitions: 1, agentModule: 'm', agentInfo: {}, status: 'finished' as const, createdAt: '' };
  return { baseline: record, candidate: { ...record, name: 'y' }, sharedRows: 0, onlyInBaseline: 0, onlyInCandidate: 0, metrics, unstable: [], costLatency: [] };
}

describe('known answers', () => {
  it('exact McNemar: binomial tail of the discordant pairs, two-sided', () => {
    expect(exactMcNemar(0, 5)).toBeCloseTo(2 / 32, 12);
    expect(exactMcNemar(9, 1)).toBeCloseTo((2 * (1 + 9)) / 1024 + 2 / 1024, 12); // 2·(C(10,0)+C(10,1))/2¹⁰ = 0.021484375
    expect(exactMcNemar(2, 10)).toBeCloseTo((2 * (1 + 12 + 66)) / 4096, 12);
    expect(exactMcNemar(3, 3)).toBe(1);
    expect(exactMcNemar(0, 0)).toBe(1);
    // Large counts stay finite (log-space sums): 500 vs 560 discordant pairs.
    const large = exactMcNemar(500, 560);
    expect(large).toBeGreaterThan(0.06);
    expect(large).toBeLessThan(0.08);
  });

  it('Newcombe paired interval: the published Cavo et al. (2012) example, 59/6/16/80 → 0.0621 (0.0046 to 0.1186)', () => {
    // Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables (2017), ch. 8; the R package contingencytables.
    const ci = pairedDifferenceOfCounts(59, 6, 16, 80);
    expect(ci.estimate).toBeCloseTo(0.0621, 4);
    expect(ci.low).toBeCloseTo(0.0046, 4);
    expect(ci.high).toBeCloseTo(0.1186, 4);
  });

  it('as counts or as 0/1 score vectors, the same interval', () => {
    const a = [...new Array(59).fill(1), ...new Array(6).fill(1), ...new Array(16).fill(0), ...new Array(80).fill(0)];
    const b = [...new Array(59).fill(1), ...new Array(6).fill(0), ...new Array(16).fill(1), ...new Array(80).fill(0)];
    const counts = pairedDifferenceOfCounts(59, 6, 16, 80);
    const vectors = pairedDifference(a, b);
    expect(vectors.low).toBeCloseTo(counts.low, 12);
    expect(vectors.high).toBeCloseTo(counts.high, 12);
  });

  it('no discordant rows does not collapse the interval: 30 rows all passing in both is ±11.4%, and a 1.5% gate cannot pass on it', () => {
    const all = new Array(30).fill(1);
    const ci = pairedDifference(all, all);
    expect(ci.low).toBeCloseTo(-0.1135, 4);
    expect(ci.high).toBeCloseTo(0.1135, 4);
    const metric = compareMetric('commitment.price', '*', all, all);
    expect(metric.verdict).toBe('too-few-rows');
    const gate = evaluateGate(comparisonOf([metric]), [parseGateRule('*: max-drop 1.5%')]);
    expect(gate.checks[0]).toMatchObject({ status: 'inconclusive' });
    // One-sided differences (every discordant row one way) do not collapse either.
    const oneSided = pairedDifference(new Array(23).fill(1), [...new Array(20).fill(1), 0, 0, 0]);
    expect(oneSided.high).toBeGreaterThan(0);
    expect(oneSided.low).toBeLessThan(-0.13);
  });

  it('one row whose repetitions disagree moves the interval between its pass and fail neighbours, not to another method', () => {
    const a = new Array(20).fill(1);
    const failed = compareMetric('tone', '*', a, [...new Array(17).fill(1), 0, 0, 0]);
    const passed = compareMetric('tone', '*', a, [...new Array(17).fill(1), 1, 0, 0]);
    const flicker = compareMetric('tone', '*', a, [...new Array(17).fill(1), 2 / 3, 0, 0]);
    expect(flicker.method).toBe(failed.method);
    for (const bound of ['low', 'high'] as const) {
      expect(flicker.ci[bound]).toBeGreaterThanOrEqual(failed.ci[bound]);
      expect(flicker.ci[bound]).toBeLessThanOrEqual(passed.ci[bound]);
    }
  });

  it('verdict, gate and "too few rows" come from the same interval: 6 rows, 3 flips', () => {
    const metric = compareMetric('commitment.price', '*', new Array(6).fill(1), [1, 1, 1, 0, 0, 0]);
    // The interval just excludes 0 …
    expect(metric.ci.high).toBeLessThan(0);
    expect(metric.verdict).toBe('regressed');
    // … so the gate does not say "too few rows"; it cannot say the drop exceeds 1.5% either (p just above 0.025).
    const gate = evaluateGate(comparisonOf([metric]), [parseGateRule('*: max-drop 1.5%')]);
    expect(gate.checks[0]!.status).toBe('inconclusive');
    expect(gate.checks[0]!.note).toMatch(/^regressed, but the interval reaches past −1\.5%/);
    expect(gate.checks[0]!.pValue).toBeGreaterThan(GATE_ALPHA);
    // With no margin (max-drop 0%), the same interval fails it.
    expect(evaluateGate(comparisonOf([metric]), [parseGateRule('*: max-drop 0%')]).passed).toBe(false);
  });

  it('the p-value inverts the interval: below 0.025 exactly when the 95% upper bound is below −threshold', () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 300; trial++) {
      const n = 5 + Math.floor(random() * 60);
      const a = Array.from({ length: n }, () => (random() < 0.85 ? 1 : 0));
      const b = a.map((x) => (random() < 0.15 ? 1 - x : random() < 0.1 ? 0.5 : x));
      const threshold = [0, 0.015, 0.05][trial % 3]!;
      const p = dropPValue(a, b, threshold);
      const high = pairedDifference(a, b).high;
      if (Math.abs(high + threshold) > 1e-6) expect(p < GATE_ALPHA).toBe(high < -threshold);
    }
  });

  it('Holm and Benjamini–Hochberg adjusted p-values match the textbook values', () => {
    const p = [0.01, 0.04, 0.03, 0.005];
    // Holm: sorted 0.005, 0.01, 0.03, 0.04 × 4, 3, 2, 1 → 0.02, 0.03, 0.06, 0.06 (monotone).
    expect(adjustPValues(p, 'holm').map((x) => Number(x.toFixed(6)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    // BH: m·p/rank from the top, running minimum → 0.02, 0.04, 0.04, 0.02.
    expect(adjustPValues(p, 'bh').map((x) => Number(x.toFixed(6)))).toEqual([0.02, 0.04, 0.04, 0.02]);
    expect(adjustPValues(p, 'none')).toEqual(p);
  });
});

/** A null candidate: the same pass probability per row, independent flakiness, repetitions averaged per row. */
function nullPair(random: () => number, n: number, repetitions: number): { a: number[]; b: number[] } {
  const a: number[] = [], b: number[] = [];
  for (let row = 0; row < n; row++) {
    // Rows differ in difficulty (correlated pairs); both agents see the same row.
    const p = random() < 0.7 ? 0.97 : random() < 0.5 ? 0.6 : 0.2;
    let sa = 0, sb = 0;
    for (let r = 0; r < repetitions; r++) {
      sa += random() < p ? 1 : 0;
      sb += random() < p ? 1 : 0;
    }
    a.push(sa / repetitions);
    b.push(sb / repetitions);
  }
  return { a, b };
}

describe('error rates by simulation (1,000 null runs each)', () => {
  it('a gate on a candidate that changed nothing fails at most at the nominal level, at small n and with repetitions', () => {
    const measured: string[] = [];
    for (const [n, repetitions] of [[6, 1], [12, 3], [30, 1], [30, 3], [100, 1]] as const) {
      const random = seededRandom(1000 + n * 10 + repetitions);
      let failures = 0;
      for (let run = 0; run < 1000; run++) {
        const { a, b } = nullPair(random, n, repetitions);
        if (!evaluateGate(comparisonOf([compareMetric('m', '*', a, b)]), [parseGateRule('*: max-drop 0%')]).passed) failures++;
      }
      measured.push(`n=${n} reps=${repetitions}: ${failures / 10}%`);
      // One-sided nominal level 2.5% (the 95% interval's upper bound); ≤ 2.5% + 3 binomial SEs (1.5 points) on 1,000 runs.
      expect(failures / 1000).toBeLessThanOrEqual(0.04);
    }
    console.log(`false-failure rate, max-drop 0%, no adjustment needed (one check): ${measured.join('; ')}`);
  }, 60_000);

  it('across 8 tag values, Holm keeps the family-wise false-failure rate at the level; unadjusted it is several times that', () => {
    const random = seededRandom(77);
    let holm = 0, none = 0;
    for (let run = 0; run < 1000; run++) {
      const metrics = Array.from({ length: 8 }, (_, tag) => {
        const { a, b } = nullPair(random, 25, 1);
        return compareMetric('m', `vertical=v${tag}`, a, b);
      });
      const rules = [parseGateRule('tag:vertical=*: max-drop 0%')];
      if (!evaluateGate(comparisonOf(metrics), rules, { adjust: 'holm' }).passed) holm++;
      if (!evaluateGate(comparisonOf(metrics), rules, { adjust: 'none' }).passed) none++;
    }
    console.log(`family-wise false-failure rate over 8 tags: holm ${holm / 10}%, unadjusted ${none / 10}%`);
    expect(holm / 1000).toBeLessThanOrEqual(0.04);
    expect(none).toBeGreaterThan(holm);
  }, 60_000);

  it('and it still sees a real drop: 100 rows, pass rate 0.9 → 0.75, fails the 1.5% gate in most runs', () => {
    const random = seededRandom(5);
    let caught = 0;
    for (let run = 0; run < 1000; run++) {
      const a: number[] = [], b: number[] = [];
      for (let row = 0; row < 100; row++) {
        const base = random() < 0.9 ? 1 : 0;
        a.push(base);
        b.push(base === 1 && random() < 1 / 6 ? 0 : base);
      }
      if (!evaluateGate(comparisonOf([compareMetric('m', '*', a, b)]), [parseGateRule('*: max-drop 1.5%')]).passed) caught++;
    }
    console.log(`power, 15-point drop on 100 rows: ${caught / 10}%`);
    expect(caught / 1000).toBeGreaterThan(0.8);
  }, 60_000);
});
