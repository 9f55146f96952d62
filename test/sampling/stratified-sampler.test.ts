import { describe, expect, it } from 'vitest';
import { SamplingAttributes, buildSampler, decisionAttributes, loadConversationHash, samplerFromSettings } from '../../src/sampling/index.ts';
import type { Decision, StratumSettings } from '../../src/sampling/index.ts';
import { T0, chatSpan, conversationIds, settings, span, toolSpan, turn } from './builders.ts';

const DESIGN_STRATA: StratumSettings[] = [
  { name: 'escalations', when: { attribute: 'app.escalated', equals: true }, rate: 1.0 },
  { name: 'new_flow', when: { attribute: 'app.flow.age_days', lessThan: 30 }, rate: 0.5 },
  { name: 'tool_calls', when: { hasToolCalls: true }, rate: 0.3 },
  { name: 'non_english', when: { attribute: 'user.language', notEquals: 'en' }, rate: 0.25 },
  { name: 'routine', rate: 0.1 },
];

const sampledIds = (decide: (id: string) => Decision, ids: readonly string[]) => new Set(ids.filter((id) => decide(id).sampled));

describe('strata', () => {
  it('takes the first matching stratum in config order', async () => {
    const sampler = await buildSampler(settings({ strata: DESIGN_STRATA, always: [] }));
    const stratumOf = (...spans: ReturnType<typeof span>[]) => sampler.decide(turn({ spans })).stratum;
    expect(stratumOf(span({ 'app.escalated': true, 'app.flow.age_days': 3 }), toolSpan())).toBe('escalations');
    expect(stratumOf(span({ 'app.flow.age_days': 3, 'user.language': 'fr' }), toolSpan())).toBe('new_flow');
    expect(stratumOf(span({ 'user.language': 'fr' }), toolSpan())).toBe('tool_calls');
    expect(stratumOf(span({ 'user.language': 'fr' }))).toBe('non_english');
    expect(stratumOf(span({ 'user.language': 'en' }))).toBe('routine');
  });

  it('counts turns no stratum matches under "unmatched" and never samples them', async () => {
    const sampler = await buildSampler(settings({ strata: [{ name: 'tools', when: { hasToolCalls: true }, rate: 1 }], always: [] }));
    const decision = sampler.decide(turn({ spans: [span({})] }));
    expect(decision).toMatchObject({ sampled: false, stratum: 'unmatched', rate: 0, reason: 'not_sampled' });
    expect(sampler.decide(turn({ spans: [toolSpan()] })).sampled).toBe(true);
  });
});

describe('settings given in code', () => {
  it('are checked where config would have caught them, naming the field', async () => {
    const hash = await loadConversationHash();
    expect(() => samplerFromSettings(settings({ strata: [{ name: 'a', rate: 2 }] }), hash)).toThrow('sampling.strata[0].rate: must be between 0 and 1, got 2');
    expect(() => samplerFromSettings(settings({ strata: [{ name: 'a', rate: 0.1 }, { name: 'a', rate: 0.2 }] }), hash)).toThrow(
      'sampling.strata[1].name: is a duplicate or reserved stratum name, got "a"',
    );
    const unpriced = settings();
    expect(() => samplerFromSettings({ ...unpriced, budget: { ...unpriced.budget, judgeModel: 'o3' } }, hash)).toThrow(
      'sampling.budget.judgeModel: has no entry in sampling.budget.prices, got "o3"',
    );
  });
});

describe('deterministic per conversation', () => {
  it('two sampler instances (two replicas) agree on every conversation', async () => {
    const ids = conversationIds(5_000);
    const a = await buildSampler(settings({ strata: [{ name: 'all', rate: 0.2 }] }));
    const b = await buildSampler(settings({ strata: [{ name: 'all', rate: 0.2 }] }));
    const fromA = ids.map((id) => a.decide(turn({ conversationId: id })).sampled);
    const fromB = ids.map((id) => b.decide(turn({ conversationId: id })).sampled);
    expect(fromB).toEqual(fromA);
    expect(fromA.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('every turn of a conversation gets the same decision', async () => {
    const sampler = await buildSampler(settings({ strata: [{ name: 'all', rate: 0.5 }] }));
    for (const id of conversationIds(200)) {
      const first = sampler.decide(turn({ conversationId: id, now: T0 })).sampled;
      const later = sampler.decide(turn({ conversationId: id, now: T0 + 60_000, latencyMs: 2000 })).sampled;
      expect(later).toBe(first);
    }
  });

  it('the sample at 0.1 is a subset of the sample at 0.3', async () => {
    const ids = conversationIds(20_000);
    const at = async (rate: number) => {
      const sampler = await buildSampler(settings({ strata: [{ name: 'all', rate }] }));
      return sampledIds((id) => sampler.decide(turn({ conversationId: id })), ids);
    };
    const low = await at(0.1);
    const high = await at(0.3);
    expect(low.size).toBeGreaterThan(1_500);
    for (const id of low) expect(high.has(id)).toBe(true);
    expect(high.size).toBeGreaterThan(low.size);
  });

  it('a different hash salt draws an independent sample', async () => {
    const ids = conversationIds(20_000);
    const plain = await loadConversationHash('');
    const salted = await loadConversationHash('replica-set-b');
    const a = new Set(ids.filter((id) => plain(id) < 0.3));
    const b = ids.filter((id) => salted(id) < 0.3);
    const overlap = b.filter((id) => a.has(id)).length / ids.length;
    // Independent draws overlap on 0.3 × 0.3 = 9% of ids.
    expect(overlap).toBeGreaterThan(0.08);
    expect(overlap).toBeLessThan(0.1);
  });

  it('observed rate is within ±1 pp of the configured rate over 100,000 sequential ids, per stratum', async () => {
    const hash = await loadConversationHash('');
    const ids = conversationIds(100_000);
    for (const rate of [0.01, 0.05, 0.1, 0.25, 0.3, 0.5, 0.9]) {
      const sampler = samplerFromSettings(settings({ strata: [{ name: 'all', rate }], always: [] }), hash);
      let sampled = 0;
      for (const id of ids) if (sampler.decide(turn({ conversationId: id })).sampled) sampled++;
      expect(Math.abs(sampled / ids.length - rate), `rate ${rate}`).toBeLessThanOrEqual(0.01);
    }
  });

  it('rate 0 samples nothing and rate 1 everything', async () => {
    const ids = conversationIds(1_000);
    const none = await buildSampler(settings({ strata: [{ name: 'all', rate: 0 }], always: [] }));
    const all = await buildSampler(settings({ strata: [{ name: 'all', rate: 1 }], always: [] }));
    expect(ids.filter((id) => none.decide(turn({ conversationId: id })).sampled)).toEqual([]);
    expect(ids.filter((id) => all.decide(turn({ conversationId: id })).sampled)).toHaveLength(1_000);
  });
});

describe('always-on triggers', () => {
  const cases = [
    { reason: 'check_failed', input: turn({ checkFailed: true }) },
    { reason: 'escalation', input: turn({ spans: [span({ 'app.escalated': true })] }) },
    { reason: 'error', input: turn({ spans: [span({}, { status: 2 })] }) },
  ] as const;

  for (const { reason, input } of cases) {
    it(`${reason} samples a turn whose stratum rate is 0, with rate 1 and weight 1`, async () => {
      const sampler = await buildSampler(settings({ strata: [{ name: 'all', rate: 0 }] }));
      expect(sampler.decide(input)).toMatchObject({ sampled: true, stratum: 'all', rate: 1, weight: 1, reason });
      expect(sampler.decide(turn()).sampled).toBe(false);
    });
  }

  it('only the configured triggers fire, and the first listed names the reason', async () => {
    const sampler = await buildSampler(settings({ strata: [{ name: 'all', rate: 0 }], always: ['error', 'checkFailed'] }));
    const both = turn({ checkFailed: true, spans: [span({}, { status: 2 })] });
    expect(sampler.decide(both).reason).toBe('error');
    expect(sampler.decide(turn({ spans: [span({ 'app.escalated': true })] }))).toMatchObject({ sampled: false, reason: 'not_sampled' });
    const feedback = await buildSampler(settings({ strata: [{ name: 'all', rate: 0 }], always: ['negativeFeedback'] }));
    expect(feedback.decide(turn({ spans: [span({ 'app.user_feedback': 'negative' })] })).reason).toBe('negative_feedback');
  });
});

describe('the decision on the spans', () => {
  it('writes stratum, effective rate, weight, reason and sampled', async () => {
    const sampler = await buildSampler(settings({ strata: [{ name: 'tools', when: { hasToolCalls: true }, rate: 1 }, { name: 'routine', rate: 0 }] }));
    const sampled = sampler.decide(turn({ spans: [toolSpan()] }));
    expect(decisionAttributes(sampled)).toEqual({
      [SamplingAttributes.SAMPLED]: true,
      [SamplingAttributes.STRATUM]: 'tools',
      [SamplingAttributes.RATE]: 1,
      [SamplingAttributes.WEIGHT]: 1,
      [SamplingAttributes.REASON]: 'stratum',
    });
    const skipped = sampler.decide(turn({ spans: [span({})] }));
    expect(decisionAttributes(skipped)).toEqual({
      'tracejudge.sampling.sampled': false,
      'tracejudge.sampling.stratum': 'routine',
      'tracejudge.sampling.rate': 0,
      'tracejudge.sampling.reason': 'not_sampled',
    });
  });

  it('weight is 1/rate of a hash-sampled turn', async () => {
    const sampler = await buildSampler(settings({ strata: [{ name: 'all', rate: 0.25 }], always: [] }));
    const decision = conversationIds(100).map((id) => sampler.decide(turn({ conversationId: id }))).find((d) => d.sampled);
    expect(decision).toMatchObject({ rate: 0.25, weight: 4, reason: 'stratum' });
  });
});

describe('stats for metrics', () => {
  it('counts decisions by stratum and reason and reports effective rates', async () => {
    const sampler = await buildSampler(settings({ strata: [{ name: 'tools', when: { hasToolCalls: true }, rate: 1 }, { name: 'routine', rate: 0 }] }));
    sampler.decide(turn({ spans: [toolSpan()] }));
    sampler.decide(turn({ spans: [toolSpan()], conversationId: 'conv-2' }));
    sampler.decide(turn({ spans: [span({})] }));
    sampler.decide(turn({ spans: [span({})], checkFailed: true }));
    const stats = sampler.stats(T0);
    expect(stats.decisions).toEqual({ tools: { stratum: 2 }, routine: { not_sampled: 1, check_failed: 1 } });
    expect(stats.strata.map((s) => [s.name, s.configuredRate, s.effectiveRate, s.turns, s.sampled])).toEqual([
      ['tools', 1, 1, 2, 2],
      ['routine', 0, 0, 2, 1],
    ]);
    expect(stats.budget.reservedTotal).toBeGreaterThan(0);
  });

  it('counts turns whose model has no price', async () => {
    const sampler = await buildSampler(settings());
    sampler.decide(turn({ spans: [chatSpan('claude-sonnet', 100, 100)] }));
    sampler.decide(turn({ spans: [chatSpan('gpt-4.1-mini-2025-04-14', 100, 100)] }));
    expect(sampler.stats(T0).unpricedTurns).toBe(1);
    expect(sampler.stats(T0).budget.inferenceTotal).toBeCloseTo((100 * 0.4 + 100 * 1.6) / 1e6, 12);
  });
});

describe('never throws into the pipeline', () => {
  it('a failing policy becomes a counted sampler_error decision', async () => {
    const hash = await loadConversationHash();
    const sampler = samplerFromSettings(settings(), (id) => {
      if (id === 'poison') throw new Error('hash exploded');
      return hash(id);
    });
    const decision = sampler.decide(turn({ conversationId: 'poison' }));
    expect(decision).toMatchObject({ sampled: false, reason: 'sampler_error', detail: 'hash exploded' });
    expect(sampler.stats(T0).decisions.all?.sampler_error).toBe(1);
  });

  it('non-finite latency and tokens are ignored, not thrown', async () => {
    const sampler = await buildSampler(settings({ outliers: { latencyAboveQuantile: 0.99, tokensAboveMedianTimes: 4, windowMs: 600_000, minSamples: 1 } }));
    const decision = sampler.decide(turn({ latencyMs: Number.NaN, totalTokens: Number.POSITIVE_INFINITY }));
    expect(decision.reason === 'stratum' || decision.reason === 'not_sampled').toBe(true);
  });
});
