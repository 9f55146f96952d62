import { z } from 'zod';
import { booleanish, duration, nonEmptyString, nonNegativeInt, positiveInt } from './fields.ts';
import { defineSection } from './section.ts';

/**
 * `judge:` — the LLM judge (src/judge). Parsed into the options src/judge's
 * `LlmJudge` takes (durations in ms); src/config imports nothing of ours, so
 * the shapes are kept equal by a type test in test/judge/config.test.ts.
 * Rubric names are checked against the rubric registry when the judge is
 * built, with errors naming `judge.rubrics[i]` / `judge.select[i].rubrics[j]`.
 * The section is optional: absent means no judge.
 */

const NUMERIC = /^\s*[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?\s*$/i;
const RUBRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A number, or a numeric string (`${ENV}` substitution yields strings). */
function numberLike(message: string) {
  return z.union([z.number(), z.string().regex(NUMERIC).transform(Number)], { error: message }).pipe(z.number().finite({ error: message }));
}

const positiveDuration = () => duration().pipe(z.number().positive({ error: 'expected a duration above 0' }));
const usdPerMillion = () => numberLike('expected USD per 1M tokens, a number >= 0').pipe(z.number().nonnegative({ error: 'expected USD per 1M tokens, a number >= 0' }));
const rubricName = () => z.string({ error: 'expected a rubric name' }).trim().regex(RUBRIC_NAME, { error: 'expected a rubric name: lowercase letters, digits, _ . -' });

/** A list, or a comma-separated string (how a list arrives from an environment variable). */
const rubricList = z
  .union(
    [
      z.array(rubricName()),
      z.string().transform((text) =>
        text
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name.length > 0),
      ),
    ],
    { error: 'expected a list of rubric names, e.g. [faithfulness, tone]' },
  )
  .pipe(z.array(rubricName()).min(1, { error: 'expected at least one rubric name' }));

const ScaleSchema = z
  .strictObject({
    min: numberLike('expected a number'),
    max: numberLike('expected a number'),
    /** Whole-number scores (a Likert scale); false allows fractions. */
    integer: booleanish().prefault(true),
  })
  .refine((scale) => scale.min < scale.max, { error: 'min must be below max', path: ['max'] })
  .refine((scale) => !scale.integer || (Number.isInteger(scale.min) && Number.isInteger(scale.max)), { error: 'an integer scale needs integer min and max' });

/** A rubric the operator writes; its score is mapped from its scale to 0..1. */
const CustomRubricSchema = z.strictObject({
  name: rubricName(),
  description: nonEmptyString().optional(),
  instructions: nonEmptyString(),
  /** Labels the judge must choose from, best first. */
  labels: z
    .array(nonEmptyString(), { error: 'expected a list of labels, e.g. [pass, fail]' })
    .min(1, { error: 'expected at least one label' })
    .refine((labels) => new Set(labels).size === labels.length, { error: 'labels must be distinct' }),
  scale: ScaleSchema.prefault({ min: 1, max: 5 }),
});

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });
const ConditionSchema = z.union([z.strictObject({ stratum: nonEmptyString() }), z.strictObject({ attribute: nonEmptyString(), equals: scalar })], {
  error: 'expected { stratum: NAME } or { attribute: NAME, equals: VALUE }',
});

const SelectRuleSchema = z.strictObject({
  when: ConditionSchema,
  rubrics: rubricList,
  /** Use only this rule's rubrics for matching targets instead of adding to `rubrics`. */
  replace: booleanish().prefault(false),
});

export const JudgeConfigSchema = z
  .strictObject({
    model: nonEmptyString(),
    /** Any OpenAI-compatible endpoint; unset means `OPENAI_BASE_URL`, else OpenAI. */
    baseURL: z.url({ error: 'expected a URL like http://127.0.0.1:8000/v1' }).optional(),
    /** The variable holding the API key (never the key itself in the file). */
    apiKeyEnv: z.string().regex(ENV_NAME, { error: 'expected an environment variable name' }).prefault('OPENAI_API_KEY'),
    /** Per HTTP attempt; the client's default of 10 minutes is far too long for a judge. */
    timeout: positiveDuration().prefault('30s'),
    /** The openai client's own retries (429 honouring Retry-After, 5xx, connection errors). */
    maxRetries: nonNegativeInt().prefault(2),
    /** Overall per-evaluation deadline; default timeout × (maxRetries + 1) + 5s. */
    deadline: positiveDuration().optional(),
    concurrency: positiveInt().prefault(4),
    /** Judge calls waiting for a slot; beyond it work is shed and counted. */
    maxQueue: nonNegativeInt().prefault(1000),
    /** Judgments per rubric and item, for noisy rubrics; mean and spread are reported. */
    repeats: positiveInt().prefault(1),
    temperature: numberLike('expected a number from 0 to 2').pipe(z.number().min(0, { error: 'expected a number from 0 to 2' }).max(2, { error: 'expected a number from 0 to 2' })).prefault(0),
    maxOutputTokens: positiveInt().optional(),
    rubrics: rubricList.prefault(['faithfulness', 'correctness', 'completeness', 'tone']),
    custom: z.array(CustomRubricSchema, { error: 'expected a list of rubrics' }).prefault([]),
    select: z.array(SelectRuleSchema, { error: 'expected a list of { when, rubrics } rules' }).prefault([]),
    /** How long a span's export waits for its judge results before they go on a child span. */
    holdMs: duration().prefault(30_000),
    /** A sampled conversation is judged once, when it ends (DESIGN.md); `turn` judges each sampled turn. */
    scope: z.enum(['conversation', 'turn'], { error: 'expected conversation or turn' }).prefault('conversation'),
    circuitBreaker: z
      .strictObject({
        failureThreshold: positiveInt().prefault(5),
        coolDown: duration().prefault('30s'),
      })
      .prefault({}),
    /** USD per 1M tokens by model name; adds to or replaces the built-in list. */
    prices: z.record(z.string(), z.strictObject({ input: usdPerMillion(), output: usdPerMillion() }), { error: 'expected { MODEL: { input, output } }' }).prefault({}),
    maxTranscriptChars: positiveInt().pipe(z.number().min(1000, { error: 'expected at least 1000' })).prefault(60_000),
  })
  .superRefine((judge, ctx) => {
    const seen = new Set<string>();
    judge.custom.forEach((rubric, index) => {
      if (seen.has(rubric.name)) ctx.addIssue({ code: 'custom', path: ['custom', index, 'name'], message: `rubric ${rubric.name} is defined twice`, input: rubric.name });
      seen.add(rubric.name);
    });
  })
  .optional();

export type JudgeConfig = NonNullable<z.output<typeof JudgeConfigSchema>>;

export const judgeSection = defineSection(JudgeConfigSchema, {
  TRACEJUDGE_JUDGE_MODEL: 'model',
  TRACEJUDGE_JUDGE_BASE_URL: 'baseURL',
  TRACEJUDGE_JUDGE_TIMEOUT: 'timeout',
  TRACEJUDGE_JUDGE_CONCURRENCY: 'concurrency',
  TRACEJUDGE_JUDGE_RUBRICS: 'rubrics',
});
