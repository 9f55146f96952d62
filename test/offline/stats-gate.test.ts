import { describe, expect, it } from 'vitest';
import { compareMetric, evaluateGate, minimumDetectableDifference, newcombePairedDifference, parseGateRule, wilson } from '../../src/offline/index.ts';
import type { Comparison } from '../../src/offline/index.ts';

const Z2 = 1.959963984540054 ** 2;

describe('intervals', () => {
  it('Wilson interval matches the hand-computed 0/10 and 10/10 bounds (z²/(n+z²))', () => {
    expect(wilson(0, 10).low).toBeCloseTo(0, 12);
    expect(wilson(0, 10).high).toBeCloseTo(Z2 / (10 + Z2), 12);
    expect(wilson(10, 10).low).toBeCloseTo(10 / (10 + Z2), 12);
  });

  it('Newcombe paired interval: all pairs concordant gives ±(1 − Wilson lower bound of 10/10)', () => {
    const half = 1 - 10 / (10 + Z2); // 0.2775…
    const ci = newcombePairedDifference(10, 0, 0, 0);
    expect(ci.estimate).toBe(0);
    expect(ci.low).toBeCloseTo(-half, 10);
    expect(ci.high).toBeCloseTo(half, 10);
  });

  it('Newcombe paired interval: hand-computed case 12/2/9/1 (φ = −6/√8820)', () => {
    const n = 24, pB = 21 / 24, pA = 14 / 24, phi = -6 / Math.sqrt(21 * 3 * 14 * 10);
    const b = wilson(21, n), a = wilson(14, n);
    const low = pB - pA - Math.sqrt((pB - b.low) ** 2 - 2 * phi * (pB - b.low) * (a.high - pA) + (a.high - pA) ** 2);
    const ci = newcombePairedDifference(12, 2, 9, 1);
    expect(ci.estimate).toBeCloseTo(7 / 24, 12);
    expect(ci.low).toBeCloseTo(low, 12);
    expect(ci.low).toBeCloseTo(0.0311, 4);
    expect(ci.high).toBeCloseTo(0.5078, 4);
  });

  it('minimum detectable difference shrinks with more rows', () => {
    expect(minimumDetectableDifference(new Array(5).fill(0))).toBeGreaterThan(minimumDetectableDifference(new Array(500).fill(0)));
  });
});

function comparisonOf(metrics: ReturnType<typeof compareMetric>[]): Comparison {
  const record = { name: 'x', datasetName: 'd', datasetVersion: 'v', repetitions: 1, agentModule: 'm', agentInfo: {}, status: 'finished' as const, createdAt: '' };
  return { baseline: record, candidate: { ...record, name: 'y' }, sharedRows: 0, onlyInBaseline: 0, onlyInCandidate: 0, metrics, unstable: [],
    costLatency: [{ group: '*', rows: 40, baselineP95Ms: 100, candidateP95Ms: 200, p95Ratio: 2, p95RatioCi: { low: 1.6, high: 2.4 } }] };
}

describe('gate', () => {
  it('5 rows with 1 flip is "too few rows to tell", not a failure: verdict and gate read the same interval', () => {
    const metric = compareMetric('commitment.price', '*', [1, 1, 1, 1, 1], [1, 1, 1, 1, 0]);
    expect(metric.verdict).toBe('too-few-rows');
    const gate = evaluateGate(comparisonOf([metric]), [parseGateRule('*: max-drop 1.5%')]);
    expect(gate.passed).toBe(true);
    expect(gate.checks[0].status).toBe('inconclusive');
    expect(gate.checks[0].note).toMatch(/^too few rows to tell \(5 rows; 95% CI -\d+\.\d% … \d+\.\d% reaches past −1\.5%\)$/);
  });

  it('fails when the whole interval lies past the threshold, per tag', () => {
    const salon = compareMetric('commitment.price', 'vertical=salon', new Array(10).fill(1), new Array(10).fill(0));
    const bank = compareMetric('commitment.price', 'vertical=bank', new Array(10).fill(1), new Array(10).fill(1));
    const gate = evaluateGate(comparisonOf([salon, bank]), [parseGateRule('tag:vertical=*: max-drop 1.5%')]);
    expect(gate.passed).toBe(false);
    expect(gate.failures.map((f) => f.group)).toEqual(['vertical=salon']);
    expect(evaluateGate(comparisonOf([salon, bank]), [parseGateRule('tag:vertical=bank: max-drop 0.5%')]).passed).toBe(true);
  });

  it('latency rule fails only when the ratio interval is above 1 + threshold', () => {
    expect(evaluateGate(comparisonOf([]), [parseGateRule('latency.p95: max-increase 20%')]).passed).toBe(false);
    expect(evaluateGate(comparisonOf([]), [parseGateRule('latency.p95: max-increase 200%')]).passed).toBe(true);
  });

  it('rejects malformed rules naming the text', () => {
    expect(() => parseGateRule('vertical=x max-drop 1')).toThrow(/gate rule "vertical=x max-drop 1"/);
    expect(() => parseGateRule('tokens: max-increase 5%')).toThrow(/latency\.p95 or cost\.mean, got "tokens"/);
    expect(() => parseGateRule('vertical=x: max-drop 1%')).toThrow(/scope must be/);
  });
});
