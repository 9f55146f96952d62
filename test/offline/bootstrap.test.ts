import { describe, expect, it } from 'vitest';
import { compareExperiments, compareMetric, mean, pairedMeanRatioBootstrap, pairedQuantileRatioBootstrap, quantile, seededRandom } from '../../src/offline/index.ts';

/** The straightforward version the fast ones replace: the same seeded draws, each resample copied and sorted. */
function naiveRatio(a: readonly number[], b: readonly number[], statistic: (values: number[]) => number, seed: number, resamples: number) {
  const draw = seededRandom(seed);
  const n = a.length;
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const index = Math.floor(draw() * n);
      xs.push(a[index]);
      ys.push(b[index]);
    }
    values.push(statistic(ys) / statistic(xs));
  }
  return { low: quantile(values, 0.025), high: quantile(values, 0.975) };
}

const random = seededRandom(11);
const exponential = () => -Math.log(1 - random());
/** Latencies with ties (whole milliseconds), as stored runs have. */
const latencies = (n: number, scale: number) => Array.from({ length: n }, () => Math.round(scale * 100 * exponential()));

describe('ratio bootstraps', () => {
  it('the counting p95-ratio bootstrap gives exactly the copy-and-sort interval (same seed, same draws)', () => {
    for (const n of [1, 2, 7, 40, 301]) {
      const a = latencies(n, 1), b = latencies(n, 1.2);
      for (const q of [0.5, 0.95, 1]) {
        expect(pairedQuantileRatioBootstrap(a, b, q, { seed: 5, resamples: 300 })).toEqual(naiveRatio(a, b, (v) => quantile(v, q), 5, 300));
      }
    }
  });

  it('the mean-ratio bootstrap gives exactly the generic interval', () => {
    const a = latencies(123, 1), b = latencies(123, 0.9);
    expect(pairedMeanRatioBootstrap(a, b, { seed: 9, resamples: 500 })).toEqual(naiveRatio(a, b, mean, 9, 500));
  });

  it('compareExperiments gives judge-like (fractional) scores the interval compareMetric gives them alone: one method for every score', () => {
    const record = (name: string) => ({ name, datasetName: 'd', datasetVersion: 'v', repetitions: 1, agentModule: 'm', agentInfo: {}, status: 'finished' as const, createdAt: '' });
    const runs = (shift: number) => Array.from({ length: 60 }, (_, r) => ({ rowId: `r${r}`, repetition: 0, tags: {}, latencyMs: 10 + r,
      results: [{ evaluator: 'correctness', score: ((r * 3 + shift) % 5) / 4 }, { evaluator: 'tone', score: ((r * 7 + shift) % 4) / 3 }] }));
    const comparison = compareExperiments({ record: record('A'), runs: runs(0) }, { record: record('B'), runs: runs(1) }, { seed: 8 });
    for (const metric of comparison.metrics) {
      expect(metric.method).toBe('newcombe-paired');
      expect(metric.ci).toEqual(compareMetric(metric.evaluator, '*', metric.baselineScores, metric.candidateScores).ci);
    }
    expect(comparison.metrics).toHaveLength(2);
  });

  it('the p95-ratio interval covers the true ratio at about its nominal 95% on a known distribution', () => {
    // A ~ Exp(1), B ~ 1.3·Exp(1): the true p95 ratio is exactly 1.3.
    const sims = 120;
    let covered = 0, excludesOne = 0;
    for (let sim = 0; sim < sims; sim++) {
      const a = Array.from({ length: 300 }, exponential);
      const b = Array.from({ length: 300 }, () => 1.3 * exponential());
      const ci = pairedQuantileRatioBootstrap(a, b, 0.95, { seed: sim + 1, resamples: 1000 });
      expect(ci.low).toBeLessThanOrEqual(ci.high);
      if (ci.low <= 1.3 && ci.high >= 1.3) covered++;
      if (ci.low > 1) excludesOne++;
    }
    // Binomial(120, 0.95) lies in [0.89, 0.99] with > 99% probability; the draws are seeded, so this is reproducible.
    expect(covered / sims).toBeGreaterThanOrEqual(0.89);
    expect(covered / sims).toBeLessThanOrEqual(0.99);
    // …and the interval is informative, not trivially wide: it often sees the 30% increase.
    expect(excludesOne / sims).toBeGreaterThan(0.3);
  }, 60_000);

  it('is reproducible with its seed and an empty input gives no interval', () => {
    const a = latencies(50, 1), b = latencies(50, 1);
    expect(pairedQuantileRatioBootstrap(a, b, 0.95, { seed: 3 })).toEqual(pairedQuantileRatioBootstrap(a, b, 0.95, { seed: 3 }));
    expect(pairedQuantileRatioBootstrap(a, b, 0.95, { seed: 3 })).not.toEqual(pairedQuantileRatioBootstrap(a, b, 0.95, { seed: 4 }));
    expect(pairedQuantileRatioBootstrap([], [], 0.95).low).toBeNaN();
  });
});
