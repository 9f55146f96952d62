import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseConfig, resolveConfig } from '../../src/config/load.ts';
import { SamplingConfigSchema } from '../../src/config/sampling.ts';
import type { SamplingConfig } from '../../src/config/sampling.ts';
import { buildSampler } from '../../src/sampling/index.ts';
import type { SamplingSettings } from '../../src/sampling/index.ts';
import { span, toolSpan, turn } from './builders.ts';

// The parsed config is the settings src/sampling takes: checked by the compiler (tsc -p tsconfig.json).
const asSettings = (config: SamplingConfig): SamplingSettings => config;

const DESIGN_EXAMPLE = `
sampling:
  strata:                                            # first match wins
    - { name: escalations, when: { attribute: app.escalated, equals: true }, rate: 1.0 }
    - { name: new_flow,    when: { attribute: app.flow.age_days, lessThan: 30 }, rate: 0.5 }
    - { name: tool_calls,  when: { hasToolCalls: true }, rate: 0.3 }
    - { name: non_english, when: { attribute: user.language, notEquals: en }, rate: 0.25 }
    - { name: routine,     rate: 0.1 }
  always: [ checkFailed ]
  outliers: { latencyAboveQuantile: 0.99, tokensAboveMedianTimes: 4 }
  budget:   { maxJudgeCostShareOfInference: 0.05 }
`;

const problems = (text: string, env: Record<string, string> = {}): string[] => {
  try {
    parseConfig(text, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  throw new Error('expected the config to be rejected');
};

describe('sampling config', () => {
  it('reads DESIGN.md example into settings that build a working sampler', async () => {
    const config = parseConfig(DESIGN_EXAMPLE, { env: {} });
    const settings = asSettings(config.sampling);
    expect(settings.strata.map((s) => [s.name, s.rate])).toEqual([
      ['escalations', 1],
      ['new_flow', 0.5],
      ['tool_calls', 0.3],
      ['non_english', 0.25],
      ['routine', 0.1],
    ]);
    expect(settings.always).toEqual(['checkFailed']);
    expect(settings.outliers).toEqual({ latencyAboveQuantile: 0.99, tokensAboveMedianTimes: 4, windowMs: 600_000, minSamples: 100 });
    expect(settings.budget).toMatchObject({ maxJudgeCostPerHour: null, maxJudgeCostPerDay: null, maxJudgeCostShareOfInference: 0.05, judgeModel: 'gpt-4.1-mini' });
    expect(settings.budget.prices['gpt-4.1-mini']).toEqual({ input: 0.4, output: 1.6 });

    const sampler = await buildSampler(settings);
    expect(sampler.decide(turn({ spans: [span({ 'app.escalated': true })] }))).toMatchObject({ stratum: 'escalations', sampled: true, rate: 1 });
    expect(sampler.decide(turn({ spans: [span({ 'user.language': 'en' }), toolSpan()] })).stratum).toBe('tool_calls');
    expect(sampler.decide(turn({ spans: [span({ 'user.language': 'en' })] })).stratum).toBe('routine');
  });

  it('has defaults for everything', () => {
    const settings = asSettings(resolveConfig({}, { env: {} }).sampling);
    expect(settings.strata).toEqual([{ name: 'all', rate: 0.1 }]);
    expect(settings.always).toEqual(['checkFailed', 'escalation', 'error']);
    expect(settings.outliers).toEqual({ latencyAboveQuantile: 0.99, tokensAboveMedianTimes: 4, windowMs: 600_000, minSamples: 100 });
    expect(settings.budget).toMatchObject({ maxJudgeCostShareOfInference: 0.05, judgeOverheadTokens: 1500, judgeOutputTokens: 500, paceWindowMs: 300_000 });
    expect(settings.hashSalt).toBe('');
  });

  it('reads ceilings, windows, disabled outliers, extra prices and environment overrides', () => {
    const config = parseConfig(
      `
sampling:
  outliers: { latencyAboveQuantile: null, tokensAboveMedianTimes: 6, window: 30m, minSamples: 500 }
  budget:
    maxJudgeCostPerHour: 2
    maxJudgeCostPerDay: \${DAY_BUDGET}
    judgeModel: claude-sonnet-4
    prices: { claude-sonnet-4: { input: 3, output: 15 } }
    paceWindow: 1m
`,
      { env: { DAY_BUDGET: '30', TRACEJUDGE_SAMPLING_MAX_JUDGE_COST_PER_HOUR: '1.5', TRACEJUDGE_SAMPLING_HASH_SALT: 'blue' } },
    );
    const settings = asSettings(config.sampling);
    expect(settings.outliers).toEqual({ latencyAboveQuantile: null, tokensAboveMedianTimes: 6, windowMs: 1_800_000, minSamples: 500 });
    expect(settings.budget).toMatchObject({ maxJudgeCostPerHour: 1.5, maxJudgeCostPerDay: 30, judgeModel: 'claude-sonnet-4', paceWindowMs: 60_000 });
    expect(settings.budget.prices['claude-sonnet-4']).toEqual({ input: 3, output: 15 });
    expect(settings.budget.prices['gpt-4.1']).toEqual({ input: 2, output: 8 });
    expect(settings.hashSalt).toBe('blue');
  });

  it('reads nested and/or/not predicates and every attribute operator', () => {
    const settings = SamplingConfigSchema.parse({
      strata: [
        { name: 'a', when: { and: [{ hasToolCalls: true }, { not: { error: true } }] }, rate: 0.5 },
        { name: 'b', when: { or: [{ outcome: 'escalated' }, { outcome: 'negativeFeedback' }] }, rate: 1 },
        { name: 'c', when: { attribute: 'app.vertical', in: ['travel', 'retail'], regex: '^t' }, rate: 0.2 },
        { name: 'd', when: { attribute: 'app.variant', exists: 'true' }, rate: '0.3' },
        { name: 'e', when: { attribute: 'app.items', greaterThan: '2', lessThan: 10 }, rate: 0.1 },
        { name: 'f', rate: 0 },
      ],
    });
    expect(settings.strata[0].when).toEqual({ and: [{ hasToolCalls: true }, { not: { error: true } }] });
    expect(settings.strata[3]).toEqual({ name: 'd', when: { attribute: 'app.variant', exists: true }, rate: 0.3 });
    expect(settings.strata[4].when).toEqual({ attribute: 'app.items', greaterThan: 2, lessThan: 10 });
  });
});

describe('invalid sampling config', () => {
  it('names the stratum rate out of range', () => {
    const text = DESIGN_EXAMPLE.replace('rate: 0.3 }', 'rate: 1.5 }');
    expect(problems(text)).toEqual(['sampling.strata[2].rate: must be between 0 and 1, got 1.5']);
    expect(() => parseConfig(text, { env: {} })).toThrow('sampling.strata[2].rate: must be between 0 and 1, got 1.5');
  });

  it('names predicate mistakes at the field', () => {
    const text = `
sampling:
  strata:
    - { name: a, when: { attribute: app.flow }, rate: 0.1 }
    - { name: b, when: { attribute: app.flow, equals: x, hasToolCalls: true }, rate: 0.1 }
    - { name: c, when: { hasToolCall: true }, rate: 0.1 }
    - { name: d, when: { attribute: app.flow, regex: "([" }, rate: 0.1 }
    - { name: e, when: { attribute: app.flow, lessThan: soon }, rate: 0.1 }
    - { name: f, when: { and: [ { outcome: escalatd } ] }, rate: 0.1 }
    - { name: g, when: { attribute: app.flow, equals: x, typo: 1 }, rate: 0.1 }
    - { name: h, when: { attribute: app.flow, exists: false, equals: x }, rate: 0.1 }
`;
    expect(problems(text)).toEqual([
      'sampling.strata[0].when: attribute app.flow needs an operator (equals, notEquals, in, exists, lessThan, greaterThan, regex), got {"attribute":"app.flow"}',
      'sampling.strata[1].when: expected one predicate per when (combine with and/or), found attribute and hasToolCalls, got {"attribute":"app.flow","equals":"x","hasToolCalls":true}',
      'sampling.strata[2].when: expected a predicate with one of attribute, hasToolCalls, outcome, error, and, or, not, got {"hasToolCall":true}',
      expect.stringMatching(/^sampling\.strata\[3\]\.when\.regex: invalid regular expression \(.*\), got "\(\["$/),
      'sampling.strata[4].when.lessThan: expected a number, got "soon"',
      'sampling.strata[5].when.and[0].outcome: expected one of escalated, negativeFeedback, bookingMade, ticketCreated, conversationEnded, got "escalatd"',
      'sampling.strata[6].when.typo: unknown key',
      'sampling.strata[7].when.exists: exists: false cannot be combined with value operators, got false',
    ]);
  });

  it('rejects duplicate, reserved and unreachable strata', () => {
    const text = `
sampling:
  strata:
    - { name: tools, when: { hasToolCalls: true }, rate: 0.3 }
    - { name: tools, when: { error: true }, rate: 0.3 }
    - { name: unmatched, when: { error: false }, rate: 0.1 }
    - { name: everything, rate: 0.1 }
    - { name: late, when: { hasToolCalls: false }, rate: 0.1 }
`;
    expect(problems(text)).toEqual([
      'sampling.strata[1].name: duplicate stratum name (also strata[0]), got "tools"',
      'sampling.strata[2].name: "unmatched" is reserved for turns no stratum matches, got "unmatched"',
      'sampling.strata[4]: unreachable: strata[3] (everything) has no when and matches every turn, got "late"',
    ]);
  });

  it('rejects unknown triggers, bad outlier settings, budgets and a judge model without a price', () => {
    expect(problems('sampling: { always: [checkFailed, escalated] }')).toEqual([
      'sampling.always[1]: expected one of checkFailed, escalation, error, negativeFeedback, got "escalated"',
    ]);
    expect(problems('sampling: { outliers: { latencyAboveQuantile: 1, tokensAboveMedianTimes: 0.5, window: soon, minSamples: 0 } }')).toEqual([
      'sampling.outliers.latencyAboveQuantile: expected a quantile between 0 and 1 (exclusive), got 1',
      'sampling.outliers.tokensAboveMedianTimes: expected a multiple > 1, got 0.5',
      'sampling.outliers.window: expected a duration like "5m", "30s", "250ms" or a number of milliseconds, got "soon"',
      'sampling.outliers.minSamples: expected a positive integer, got 0',
    ]);
    expect(problems('sampling: { budget: { maxJudgeCostPerDay: -3, maxJudgeCostShareOfInference: 2, prices: { m: { input: 1 } } } }')).toEqual([
      'sampling.budget.maxJudgeCostPerDay: expected an amount in USD >= 0, got -3',
      'sampling.budget.maxJudgeCostShareOfInference: expected a number between 0 and 1, got 2',
      'sampling.budget.prices.m.output: expected an amount in USD >= 0, got nothing',
    ]);
    expect(problems('sampling: { budget: { judgeModel: claude-haiku } }')).toEqual([
      'sampling.budget.judgeModel: has no price: add it under sampling.budget.prices, got "claude-haiku"',
    ]);
    expect(problems('sampling: { strata: [] }')).toEqual(['sampling.strata: expected at least one stratum, got []']);
    expect(problems('sampling: { stratas: [] }')).toEqual(['sampling.stratas: unknown key']);
  });
});
