import { describe, expect, it } from 'vitest';
import { JudgeBudget, MIN_RATE_MULTIPLIER, buildSampler } from '../../src/sampling/index.ts';
import type { BudgetSettings, Decision } from '../../src/sampling/index.ts';
import { T0, chatSpan, settings, turn } from './builders.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIDNIGHT = Date.UTC(2026, 2, 2);

const budgetSettings = (overrides: Partial<BudgetSettings>): BudgetSettings => ({ ...settings().budget, ...overrides });

describe('JudgeBudget', () => {
  const ceilings = { maxPerHour: 1, maxPerDay: 5, maxShareOfInference: null, paceWindowMs: 300_000 };

  it('reserve is the final gate: it refuses what does not fit under the hour or the day ceiling', () => {
    const budget = new JudgeBudget(ceilings);
    expect(budget.reserve(0.6, T0)).toBeDefined();
    expect(budget.reserve(0.4, T0)).toBeDefined();
    expect(budget.reserve(0.01, T0)).toBeUndefined();
    expect(budget.stats(T0)).toMatchObject({ spentThisHour: 1, refusedCount: 1 });
    // A new UTC hour starts empty, the day keeps counting.
    expect(budget.reserve(1, T0 + HOUR)).toBeDefined();
    expect(budget.stats(T0 + HOUR)).toMatchObject({ spentThisHour: 1, spentToday: 2 });
  });

  it('commit replaces the estimate by the actual cost, release returns it, settling twice is ignored', () => {
    const budget = new JudgeBudget(ceilings);
    const a = budget.reserve(0.5, T0);
    const b = budget.reserve(0.5, T0);
    if (a === undefined || b === undefined) throw new Error('expected both reservations');
    budget.commit(a, 0.2);
    budget.commit(a, 0.9);
    budget.release(b);
    budget.release(b);
    expect(budget.stats(T0)).toMatchObject({ spentThisHour: expect.closeTo(0.2, 12), committedTotal: 0.2, releasedTotal: 0.5, reservedTotal: 1, overrunTotal: 0 });
    expect(budget.reserve(0.8, T0)).toBeDefined();
  });

  it('an actual above its estimate is charged and counted as overrun; a closed hour is history', () => {
    const budget = new JudgeBudget(ceilings);
    const late = budget.reserve(0.5, T0 + HOUR - 1);
    if (late === undefined) throw new Error('expected a reservation');
    budget.commit(late, 0.7);
    expect(budget.stats(T0 + HOUR - 1)).toMatchObject({ spentThisHour: 0.7, overrunTotal: expect.closeTo(0.2, 12) });
    const next = budget.reserve(0.5, T0 + HOUR);
    if (next === undefined) throw new Error('expected a reservation');
    budget.release(next);
    expect(budget.stats(T0 + HOUR).spentThisHour).toBe(0);
    expect(budget.stats(T0 + HOUR).spentToday).toBeCloseTo(0.7, 12);
  });

  it('the multiplier paces demand to the remaining budget over the remaining time', () => {
    const budget = new JudgeBudget({ maxPerHour: 1, maxPerDay: null, maxShareOfInference: null, paceWindowMs: 300_000 });
    const start = Math.floor(T0 / HOUR) * HOUR;
    // Demand of $10/hour against a $1/hour ceiling.
    for (let t = 0; t < 600_000; t += 1_000) budget.recordDemand(10 / 3_600, false, start + t);
    const at = start + 600_000;
    expect(budget.multiplier(at)).toBeGreaterThan(0.09);
    expect(budget.multiplier(at)).toBeLessThan(0.13);
  });

  it('the share target scales demand to share × inference spend, unless no inference was priced', () => {
    const budget = new JudgeBudget({ maxPerHour: null, maxPerDay: null, maxShareOfInference: 0.05, paceWindowMs: 300_000 });
    for (let t = 0; t < 600_000; t += 1_000) budget.recordDemand(0.01, false, T0 + t);
    expect(budget.multiplier(T0 + 600_000)).toBe(1);
    for (let t = 600_000; t < 1_800_000; t += 1_000) {
      budget.recordDemand(0.01, false, T0 + t);
      budget.recordInference(0.02, T0 + t);
    }
    // Allowed 0.05 × $0.02/s = $0.001/s against $0.01/s of demand.
    expect(budget.multiplier(T0 + 1_800_000)).toBeCloseTo(0.1, 2);
  });

  it('triggered demand is served first and the multiplier never reaches 0', () => {
    const budget = new JudgeBudget({ maxPerHour: 1, maxPerDay: null, maxShareOfInference: null, paceWindowMs: 300_000 });
    for (let t = 0; t < 600_000; t += 1_000) {
      budget.recordDemand(2 / 3_600, true, T0 + t);
      budget.recordDemand(1 / 3_600, false, T0 + t);
    }
    expect(budget.multiplier(T0 + 600_000)).toBe(MIN_RATE_MULTIPLIER);
  });
});

describe('a day of traffic at 10x the affordable rate', () => {
  it('never exceeds the ceilings, scales effective rates down, reports budget_capped, and still spends the budget', async () => {
    // A judged turn costs 2,500 input + 500 output tokens of gpt-4.1-mini = $0.0018.
    // 43,200 turns at rate 0.5 want ≈ $39 a day; the day allows $3.9, each hour $0.25.
    const maxPerDay = 3.9;
    const maxPerHour = 0.25;
    const sampler = await buildSampler(
      settings({ strata: [{ name: 'all', rate: 0.5 }], always: ['checkFailed'], budget: budgetSettings({ maxJudgeCostPerHour: maxPerHour, maxJudgeCostPerDay: maxPerDay }) }),
    );
    const spentByHour = new Map<number, number>();
    const reasons = new Map<string, number>();
    const hashRates: number[] = [];
    let peakHour = 0;
    let peakDay = 0;
    let checkFailures = 0;
    let checkFailuresJudged = 0;
    let noon: ReturnType<typeof sampler.stats> | undefined;
    for (let i = 0; i < 43_200; i++) {
      const now = MIDNIGHT + i * 2_000;
      const checkFailed = i % 100 === 37;
      const decision: Decision = sampler.decide(turn({ conversationId: `conv-${i}`, now, checkFailed, spans: [chatSpan('gpt-4.1', 3000, 400)] }));
      reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
      if (checkFailed) checkFailures++;
      if (decision.sampled) {
        if (checkFailed) checkFailuresJudged++;
        if (decision.reason === 'stratum') hashRates.push(decision.rate);
        // The judge finishes a little under its estimate (its output tokens are capped at the estimate's).
        const actual = decision.estimatedJudgeCost * 0.9;
        sampler.budget.commit(decision.reservation, actual);
        const hour = Math.floor(now / HOUR);
        spentByHour.set(hour, (spentByHour.get(hour) ?? 0) + actual);
      }
      if (i === 21_600) noon = sampler.stats(now);
      const budget = sampler.budget.stats(now);
      peakHour = Math.max(peakHour, budget.spentThisHour);
      peakDay = Math.max(peakDay, budget.spentToday);
    }
    expect(peakHour).toBeLessThanOrEqual(maxPerHour);
    expect(peakDay).toBeLessThanOrEqual(maxPerDay);
    for (const spent of spentByHour.values()) expect(spent).toBeLessThanOrEqual(maxPerHour);
    const daySpend = [...spentByHour.values()].reduce((a, b) => a + b, 0);
    expect(daySpend).toBeLessThanOrEqual(maxPerDay);
    // Paced, not starved: most of the day budget is used.
    expect(daySpend).toBeGreaterThan(0.75 * maxPerDay);

    expect(reasons.get('budget_capped')).toBeGreaterThan(10_000);
    const meanRate = hashRates.reduce((a, b) => a + b, 0) / hashRates.length;
    expect(meanRate).toBeLessThan(0.5 / 5);
    expect(Math.min(...hashRates)).toBeGreaterThan(0);
    // Effective rates are reported: at noon about a tenth of the configured 0.5.
    expect(noon?.strata[0].configuredRate).toBe(0.5);
    expect(noon?.strata[0].effectiveRate).toBeGreaterThan(0.02);
    expect(noon?.strata[0].effectiveRate).toBeLessThan(0.1);
    expect(noon?.budget.multiplier).toBeLessThan(0.2);
    expect(sampler.stats(MIDNIGHT + DAY - 1).decisions.all?.budget_capped).toBe(reasons.get('budget_capped'));
    // Always-on triggers are served before hash-sampled turns.
    expect(checkFailuresJudged / checkFailures).toBeGreaterThan(0.9);
  });

  it('a burst of always-on triggers stops at the ceiling with budget_capped, not past it', async () => {
    const sampler = await buildSampler(
      settings({ strata: [{ name: 'all', rate: 0 }], always: ['checkFailed'], budget: budgetSettings({ maxJudgeCostPerHour: 0.01 }) }),
    );
    const decisions = Array.from({ length: 20 }, (_, i) => sampler.decide(turn({ conversationId: `c${i}`, checkFailed: true, now: T0 + i })));
    const judged = decisions.filter((d) => d.sampled);
    // $0.0018 each: 5 fit under $0.01.
    expect(judged).toHaveLength(5);
    expect(decisions[5]).toMatchObject({ sampled: false, reason: 'budget_capped', detail: 'judge budget ceiling reached' });
    expect(sampler.budget.stats(T0 + 20).spentThisHour).toBeLessThanOrEqual(0.01);
  });

  it('budget scaling keeps the subset property: what is judged under the cap was in the uncapped sample', async () => {
    const capped = await buildSampler(settings({ strata: [{ name: 'all', rate: 0.5 }], always: [], budget: budgetSettings({ maxJudgeCostPerHour: 0.05 }) }));
    const free = await buildSampler(settings({ strata: [{ name: 'all', rate: 0.5 }], always: [] }));
    let judged = 0;
    for (let i = 0; i < 5_000; i++) {
      const input = turn({ conversationId: `conv-${i}`, now: T0 + i * 500 });
      const decision = capped.decide(input);
      if (decision.sampled) {
        judged++;
        expect(free.decide(input).sampled).toBe(true);
      } else if (decision.reason === 'budget_capped') {
        expect(free.decide(input).sampled).toBe(true);
      }
    }
    expect(judged).toBeGreaterThan(0);
    expect(judged).toBeLessThan(2_500);
  });
});
