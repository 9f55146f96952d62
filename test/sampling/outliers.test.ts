import { describe, expect, it } from 'vitest';
import { LatencyOutlierPolicy, RollingQuantiles, TokenOutlierPolicy, buildSampler } from '../../src/sampling/index.ts';
import type { SamplingReason } from '../../src/sampling/index.ts';
import { T0, settings, span, toolSpan, turn } from './builders.ts';
import { seededRandom } from '../../src/offline/compare/stats.ts';

const OUTLIERS = { latencyAboveQuantile: 0.99, tokensAboveMedianTimes: 4, windowMs: 600_000, minSamples: 100 };

async function outlierSampler() {
  return buildSampler(settings({ strata: [{ name: 'all', rate: 0 }], always: [], outliers: OUTLIERS }));
}

describe('outlier triggers', () => {
  it('fire on an injected 10x latency and 10x tokens after 5,000 steady turns, and not on the steady ones', async () => {
    const sampler = await outlierSampler();
    const next = seededRandom(7);
    const reasons = new Map<SamplingReason, number>();
    let now = T0;
    let lastTrigger = -1;
    for (let i = 0; i < 5_000; i++) {
      now += 100;
      const d = sampler.decide(turn({ conversationId: `c${i}`, latencyMs: 800 + 400 * next(), totalTokens: Math.round(400 + 200 * next()), now }));
      reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
      if (d.reason !== 'not_sampled') lastTrigger = i;
    }
    // Latency 800–1200 ms, tokens 400–600. Only just after warm-up, while the P99 rests on
    // ~100 turns, can a steady turn beat it; once the window fills, none does.
    expect(reasons.get('token_outlier')).toBeUndefined();
    expect(reasons.get('latency_outlier') ?? 0).toBeLessThanOrEqual(5);
    expect(reasons.get('not_sampled')).toBeGreaterThanOrEqual(4_995);
    expect(lastTrigger).toBeLessThan(1_000);

    const slow = sampler.decide(turn({ conversationId: 'slow', latencyMs: 10_000, totalTokens: 500, now: now + 100 }));
    expect(slow).toMatchObject({ sampled: true, reason: 'latency_outlier', rate: 1, weight: 1 });
    expect(slow.detail).toMatch(/latency 10000ms > p99 1\d{3}ms/);
    const hungry = sampler.decide(turn({ conversationId: 'hungry', latencyMs: 1000, totalTokens: 5_000, now: now + 200 }));
    expect(hungry).toMatchObject({ sampled: true, reason: 'token_outlier' });
    expect(hungry.detail).toMatch(/tokens 5000 > 4x median = \d+/);
  });

  it('on heavy-tailed steady traffic the latency trigger takes about the top 1%', async () => {
    const sampler = await outlierSampler();
    const next = seededRandom(11);
    let fired = 0;
    let now = T0;
    for (let i = 0; i < 20_000; i++) {
      now += 25;
      // Log-normal latency around 1 s: a long tail, as real turns have.
      const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      const d = sampler.decide(turn({ conversationId: `c${i}`, latencyMs: 1000 * Math.exp(0.5 * normal), totalTokens: 500, now }));
      if (d.reason === 'latency_outlier') fired++;
    }
    const share = fired / 20_000;
    expect(share).toBeGreaterThan(0.003);
    expect(share).toBeLessThan(0.015);
  });

  it('warm up: no trigger before minSamples turns, then it fires', async () => {
    const sampler = await outlierSampler();
    let now = T0;
    for (let i = 0; i < 98; i++) sampler.decide(turn({ conversationId: `c${i}`, latencyMs: 1000, totalTokens: 500, now: (now += 1000) }));
    const early = sampler.decide(turn({ conversationId: 'early', latencyMs: 10_000, totalTokens: 5_000, now: (now += 1000) }));
    expect(early).toMatchObject({ sampled: false, reason: 'not_sampled' });
    expect(sampler.stats(now).strata[0].latencyThresholdMs).toBeUndefined();
    sampler.decide(turn({ conversationId: 'c-100', latencyMs: 1000, totalTokens: 500, now: (now += 1000) }));
    const warm = sampler.decide(turn({ conversationId: 'warm', latencyMs: 10_000, totalTokens: 500, now: (now += 1000) }));
    expect(warm.reason).toBe('latency_outlier');
    expect(sampler.stats(now).strata[0].latencyThresholdMs).toBeGreaterThan(1000);
  });

  it('a constant latency is never its own outlier (the sketch bin is allowed for)', () => {
    // DDSketch answers with a bin's representative value; constants on either side of it must not fire.
    for (let latency = 1000; latency < 1040; latency += 1) {
      const policy = new LatencyOutlierPolicy({ quantile: 0.99, windowMs: 600_000, minSamples: 10 });
      let fired = 0;
      for (let i = 0; i < 200; i++) if (policy.evaluate(turn({ latencyMs: latency, now: T0 + i })).matched) fired++;
      expect(fired, `constant ${latency} ms`).toBe(0);
      expect(policy.evaluate(turn({ latencyMs: latency * 1.05, now: T0 + 1_000 })).matched).toBe(true);
    }
  });

  it('outliers are per stratum: a latency normal for slow tool turns stands out among routine ones', async () => {
    const sampler = await buildSampler(
      settings({ strata: [{ name: 'tools', when: { hasToolCalls: true }, rate: 0 }, { name: 'routine', rate: 0 }], always: [], outliers: OUTLIERS }),
    );
    let now = T0;
    for (let i = 0; i < 300; i++) {
      sampler.decide(turn({ conversationId: `t${i}`, spans: [toolSpan()], latencyMs: 5000 + (i % 10) * 100, now: (now += 100) }));
      sampler.decide(turn({ conversationId: `r${i}`, spans: [span({})], latencyMs: 1000 + (i % 10) * 20, now: (now += 100) }));
    }
    expect(sampler.decide(turn({ conversationId: 'x', spans: [toolSpan()], latencyMs: 4000, now })).reason).toBe('not_sampled');
    expect(sampler.decide(turn({ conversationId: 'y', spans: [span({})], latencyMs: 4000, now })).reason).toBe('latency_outlier');
  });

  it('turns without recorded usage (0 tokens, e.g. conversation end markers) stay out of the median', () => {
    const policy = new TokenOutlierPolicy({ aboveMedianTimes: 4, windowMs: 600_000, minSamples: 10 });
    for (let i = 0; i < 40; i++) {
      policy.evaluate(turn({ totalTokens: 100, now: T0 + 2 * i }));
      policy.evaluate(turn({ totalTokens: 0, now: T0 + 2 * i + 1 }));
    }
    expect(policy.threshold(T0 + 100)).toBeCloseTo(400, -1); // 4 × a median of 100 (DDSketch: within its relative accuracy)
    expect(policy.evaluate(turn({ totalTokens: 10_000, now: T0 + 100 })).matched).toBe(true);
  });

  it('the median k-times rule does not fire while the median is 0', () => {
    const policy = new TokenOutlierPolicy({ aboveMedianTimes: 4, windowMs: 600_000, minSamples: 10 });
    for (let i = 0; i < 100; i++) policy.evaluate(turn({ totalTokens: 0, now: T0 + i }));
    expect(policy.evaluate(turn({ totalTokens: 10_000, now: T0 + 200 })).matched).toBe(false);
  });
});

describe('rolling quantiles', () => {
  it('cover the current and previous window, then forget', () => {
    const rolling = new RollingQuantiles({ windowMs: 60_000 });
    for (let i = 0; i < 1_000; i++) rolling.add(100, T0 + i);
    expect(rolling.quantile(0.5, T0 + 1_000)).toBeCloseTo(100, -1);
    // One window later the old values are the "previous" window: still counted.
    for (let i = 0; i < 1_000; i++) rolling.add(1_000, T0 + 60_000 + i);
    expect(rolling.count(T0 + 61_000)).toBe(2_000);
    expect(rolling.quantile(0.25, T0 + 61_000)).toBeCloseTo(100, -1);
    // Two windows later only the 1000s remain.
    expect(rolling.count(T0 + 120_500)).toBe(1_000);
    expect(rolling.quantile(0.25, T0 + 120_500)).toBeCloseTo(1_000, -2);
    // After a long silence nothing remains.
    expect(rolling.count(T0 + 10 * 60_000)).toBe(0);
    expect(rolling.quantile(0.5, T0 + 10 * 60_000)).toBeUndefined();
  });

  it('recomputes a quantile after refreshEvery new values, and at once after a rotation', () => {
    const rolling = new RollingQuantiles({ windowMs: 60_000, refreshEvery: 32 });
    for (let i = 0; i < 1_000; i++) rolling.add(100, T0);
    expect(rolling.quantile(0.99, T0)).toBeCloseTo(100, -1);
    for (let i = 0; i < 31; i++) rolling.add(5_000, T0);
    expect(rolling.quantile(0.99, T0)).toBeCloseTo(100, -1);
    rolling.add(5_000, T0);
    expect(rolling.quantile(0.99, T0)).toBeCloseTo(5_000, -2);
    rolling.add(100, T0 + 60_000);
    expect(rolling.quantile(0.5, T0 + 60_000)).toBeCloseTo(100, -1);
    expect(rolling.quantile(0.5, T0 + 180_000)).toBeUndefined();
  });

  it('is accurate to the sketch relative accuracy and ignores negative or non-finite values', () => {
    const rolling = new RollingQuantiles({ windowMs: 60_000 });
    for (let v = 1; v <= 10_000; v++) rolling.add(v, T0);
    rolling.add(-5, T0);
    rolling.add(Number.NaN, T0);
    rolling.add(Number.POSITIVE_INFINITY, T0);
    expect(rolling.count(T0)).toBe(10_000);
    const p99 = rolling.quantile(0.99, T0) ?? 0;
    expect(Math.abs(p99 - 9_900) / 9_900).toBeLessThan(0.02);
  });
});
