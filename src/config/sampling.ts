import { z } from 'zod';
import { booleanish, duration, fraction, nonEmptyString, positiveInt } from './fields.ts';
import { defineSection } from './section.ts';

/**
 * `sampling:` — which turns the judge sees (src/sampling). Parsed here into
 * the typed settings src/sampling takes (durations in ms, disabled = null,
 * prices merged over the defaults); src/config imports nothing of ours, so the
 * shapes are kept equal by a type test in test/sampling.
 */

const NUMERIC = /^\s*[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?\s*$/i;

/** A number, or a numeric string (`${ENV}` substitution yields strings). */
function numberLike(message: string) {
  return z.union([z.number(), z.string().regex(NUMERIC).transform(Number)], { error: message }).pipe(z.number().finite({ error: message }));
}

const rate = () => numberLike('must be between 0 and 1').pipe(z.number().min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }));
const usd = () => numberLike('expected an amount in USD >= 0').pipe(z.number().nonnegative({ error: 'expected an amount in USD >= 0' }));
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });

/** USD per 1M tokens (OpenAI pricing page, 2025). Entries in the file override or add to these. */
export const DEFAULT_PRICES: Readonly<Record<string, { input: number; output: number }>> = {
  'gpt-4.1': { input: 2.0, output: 8.0 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10.0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
};

const OPERATORS = ['equals', 'notEquals', 'in', 'exists', 'lessThan', 'greaterThan', 'regex'] as const;
const PREDICATE_KINDS = ['attribute', 'hasToolCalls', 'outcome', 'error', 'and', 'or', 'not'] as const;
const OUTCOME_FLAGS = ['escalated', 'negativeFeedback', 'bookingMade', 'ticketCreated', 'conversationEnded'] as const;
const ALWAYS_TRIGGERS = ['checkFailed', 'escalation', 'error', 'negativeFeedback'] as const;
/** Where src/sampling counts turns no stratum matches. */
const RESERVED_STRATUM = 'unmatched';
const STRATUM_NAME = /^[A-Za-z0-9_.:-]+$/;

const AttributeWhenSchema = z
  .strictObject({
    attribute: nonEmptyString(),
    equals: scalar.optional(),
    notEquals: scalar.optional(),
    in: z.array(scalar).min(1, { error: 'expected a non-empty list' }).optional(),
    exists: booleanish().optional(),
    lessThan: numberLike('expected a number').optional(),
    greaterThan: numberLike('expected a number').optional(),
    regex: z.string().optional(),
  })
  .superRefine((when, ctx) => {
    const used = OPERATORS.filter((op) => when[op] !== undefined);
    if (used.length === 0) {
      ctx.addIssue({ code: 'custom', message: `attribute ${when.attribute} needs an operator (${OPERATORS.join(', ')})`, input: when });
    }
    if (when.exists === false && used.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['exists'], message: 'exists: false cannot be combined with value operators', input: false });
    }
    if (when.regex !== undefined) {
      try {
        new RegExp(when.regex);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['regex'], message: `invalid regular expression (${(error as Error).message})`, input: when.regex });
      }
    }
  });

export type WhenConfig =
  | z.output<typeof AttributeWhenSchema>
  | { hasToolCalls: boolean }
  | { outcome: (typeof OUTCOME_FLAGS)[number] }
  | { error: boolean }
  | { and: WhenConfig[] }
  | { or: WhenConfig[] }
  | { not: WhenConfig };

const nested = z.lazy(() => WhenSchema);
const BRANCHES: Readonly<Record<(typeof PREDICATE_KINDS)[number], z.ZodType>> = {
  attribute: AttributeWhenSchema,
  hasToolCalls: z.strictObject({ hasToolCalls: booleanish() }),
  outcome: z.strictObject({ outcome: z.enum(OUTCOME_FLAGS, { error: `expected one of ${OUTCOME_FLAGS.join(', ')}` }) }),
  error: z.strictObject({ error: booleanish() }),
  and: z.strictObject({ and: z.array(nested).min(1, { error: 'expected a non-empty list of predicates' }) }),
  or: z.strictObject({ or: z.array(nested).min(1, { error: 'expected a non-empty list of predicates' }) }),
  not: z.strictObject({ not: nested }),
};

/**
 * One predicate per `when`, chosen by its key, so an error names the field of
 * the predicate meant rather than "no alternative matched".
 */
const WhenSchema: z.ZodType<WhenConfig, unknown> = z.unknown().transform((value, ctx): WhenConfig => {
  const kinds = value !== null && typeof value === 'object' && !Array.isArray(value) ? PREDICATE_KINDS.filter((k) => k in value) : [];
  if (kinds.length !== 1) {
    const message =
      kinds.length === 0
        ? `expected a predicate with one of ${PREDICATE_KINDS.join(', ')}`
        : `expected one predicate per when (combine with and/or), found ${kinds.join(' and ')}`;
    ctx.addIssue({ code: 'custom', message, input: value });
    return z.NEVER;
  }
  const parsed = BRANCHES[kinds[0]].safeParse(value, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return parsed.data as WhenConfig;
});

const StratumSchema = z.strictObject({
  name: nonEmptyString().pipe(z.string().regex(STRATUM_NAME, { error: 'expected letters, digits, _ . : or -' })),
  when: WhenSchema.optional(),
  rate: rate(),
});

const PriceSchema = z.strictObject({ input: usd(), output: usd() });

const OutliersSchema = z
  .strictObject({
    /** Latency above this rolling quantile of the stratum triggers judging; null: off. */
    latencyAboveQuantile: numberLike('expected a quantile between 0 and 1 (exclusive), or null to turn off')
      .pipe(z.number().gt(0, { error: 'expected a quantile between 0 and 1 (exclusive)' }).lt(1, { error: 'expected a quantile between 0 and 1 (exclusive)' }))
      .nullable()
      .prefault(0.99),
    /** Tokens above k × the rolling median of the stratum trigger judging; null: off. */
    tokensAboveMedianTimes: numberLike('expected a multiple > 1, or null to turn off')
      .pipe(z.number().gt(1, { error: 'expected a multiple > 1' }))
      .nullable()
      .prefault(4),
    /** Quantiles cover the current and the previous window. */
    window: duration().pipe(z.number().positive({ error: 'expected a duration > 0' })).prefault('10m'),
    /** Warm-up: turns a stratum must have seen in the window before its outlier triggers fire. */
    minSamples: positiveInt().prefault(100),
  })
  .prefault({});

const BudgetSchema = z
  .strictObject({
    /** Hard ceilings on judge spend, USD per UTC clock hour / UTC day; absent: none. */
    maxJudgeCostPerHour: usd().optional(),
    maxJudgeCostPerDay: usd().optional(),
    /** Target judge spend as a share of observed inference spend; null: none. */
    maxJudgeCostShareOfInference: fraction().nullable().prefault(0.05),
    /** USD per 1M input / output tokens by model name (a dated snapshot takes its longest listed prefix). */
    prices: z.record(nonEmptyString(), PriceSchema).prefault({}),
    judgeModel: nonEmptyString().prefault('gpt-4.1-mini'),
    /** Rubric and instructions the judge adds to the conversation text, tokens. */
    judgeOverheadTokens: positiveInt().prefault(1500),
    /** Output tokens a judge call may produce (the judge caps its max tokens here). */
    judgeOutputTokens: positiveInt().prefault(500),
    /** Smoothing window of the spend rates that pace the budget. */
    paceWindow: duration().pipe(z.number().positive({ error: 'expected a duration > 0' })).prefault('5m'),
  })
  .prefault({});

export const SamplingConfigSchema = z
  .strictObject({
    /** First match wins; a stratum without `when` matches every turn. */
    strata: z.array(StratumSchema).min(1, { error: 'expected at least one stratum' }).prefault([{ name: 'all', rate: 0.1 }]),
    always: z
      .array(z.enum(ALWAYS_TRIGGERS, { error: `expected one of ${ALWAYS_TRIGGERS.join(', ')}` }))
      .prefault(['checkFailed', 'escalation', 'error']),
    outliers: OutliersSchema,
    budget: BudgetSchema,
    /** Replicas sharing a salt draw the same sample; another salt draws an independent one. */
    hashSalt: z.string().prefault(''),
  })
  .superRefine((sampling, ctx) => {
    const seen = new Map<string, number>();
    sampling.strata.forEach((stratum, i) => {
      if (stratum.name === RESERVED_STRATUM) {
        ctx.addIssue({ code: 'custom', path: ['strata', i, 'name'], message: `"${RESERVED_STRATUM}" is reserved for turns no stratum matches`, input: stratum.name });
      }
      const first = seen.get(stratum.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['strata', i, 'name'], message: `duplicate stratum name (also strata[${first}])`, input: stratum.name });
      } else seen.set(stratum.name, i);
    });
    const catchAll = sampling.strata.findIndex((stratum) => stratum.when === undefined);
    if (catchAll !== -1 && catchAll < sampling.strata.length - 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['strata', catchAll + 1],
        message: `unreachable: strata[${catchAll}] (${sampling.strata[catchAll].name}) has no when and matches every turn`,
        input: sampling.strata[catchAll + 1].name,
      });
    }
    sampling.always.forEach((trigger, i) => {
      if (sampling.always.indexOf(trigger) !== i) ctx.addIssue({ code: 'custom', path: ['always', i], message: 'listed twice', input: trigger });
    });
    const prices = { ...DEFAULT_PRICES, ...sampling.budget.prices };
    const judgeModel = sampling.budget.judgeModel;
    if (!Object.keys(prices).some((name) => judgeModel.startsWith(name))) {
      ctx.addIssue({ code: 'custom', path: ['budget', 'judgeModel'], message: 'has no price: add it under sampling.budget.prices', input: judgeModel });
    }
  })
  .transform((sampling) => ({
    strata: sampling.strata,
    always: sampling.always,
    outliers: {
      latencyAboveQuantile: sampling.outliers.latencyAboveQuantile,
      tokensAboveMedianTimes: sampling.outliers.tokensAboveMedianTimes,
      windowMs: sampling.outliers.window,
      minSamples: sampling.outliers.minSamples,
    },
    budget: {
      maxJudgeCostPerHour: sampling.budget.maxJudgeCostPerHour ?? null,
      maxJudgeCostPerDay: sampling.budget.maxJudgeCostPerDay ?? null,
      maxJudgeCostShareOfInference: sampling.budget.maxJudgeCostShareOfInference,
      prices: { ...DEFAULT_PRICES, ...sampling.budget.prices },
      judgeModel: sampling.budget.judgeModel,
      judgeOverheadTokens: sampling.budget.judgeOverheadTokens,
      judgeOutputTokens: sampling.budget.judgeOutputTokens,
      paceWindowMs: sampling.budget.paceWindow,
    },
    hashSalt: sampling.hashSalt,
  }))
  .prefault({});

export type SamplingConfig = z.output<typeof SamplingConfigSchema>;

export const samplingSection = defineSection(SamplingConfigSchema, {
  TRACEJUDGE_SAMPLING_MAX_JUDGE_COST_PER_HOUR: 'budget.maxJudgeCostPerHour',
  TRACEJUDGE_SAMPLING_MAX_JUDGE_COST_PER_DAY: 'budget.maxJudgeCostPerDay',
  TRACEJUDGE_SAMPLING_MAX_JUDGE_COST_SHARE: 'budget.maxJudgeCostShareOfInference',
  TRACEJUDGE_SAMPLING_HASH_SALT: 'hashSalt',
});
