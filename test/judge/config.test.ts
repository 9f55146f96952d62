import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { JudgeConfigSchema, type JudgeConfig } from '../../src/config/judge.ts';
import { configIssuesFrom } from '../../src/config/issues.ts';
import { JudgeConfigError, LlmJudge, type LlmJudgeOptions } from '../../src/judge/index.ts';
import { answer, bookingConversation, completionWith, judgeRequests, rubricOf, startJudgeServer } from './fixtures.ts';

function parseJudge(judge: unknown): JudgeConfig {
  const result = JudgeConfigSchema.safeParse(judge, { reportInput: true });
  if (!result.success) throw new ConfigError(configIssuesFrom(result.error).map((issue) => ({ ...issue, path: `judge.${issue.path}` })));
  if (!result.data) throw new Error('no judge section');
  return result.data;
}

function issuesOf(judge: unknown): string[] {
  try {
    parseJudge(judge);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a ConfigError');
}

let server: OpenAITestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('judge config section', () => {
  it('fills the defaults, with durations in milliseconds', () => {
    expect(parseJudge({ model: 'gpt-4.1-mini' })).toEqual({
      model: 'gpt-4.1-mini',
      apiKeyEnv: 'OPENAI_API_KEY',
      timeout: 30_000,
      maxRetries: 2,
      concurrency: 4,
      maxQueue: 1000,
      repeats: 1,
      temperature: 0,
      rubrics: ['faithfulness', 'correctness', 'completeness', 'tone'],
      custom: [],
      select: [],
      holdMs: 30_000,
      scope: 'conversation',
      circuitBreaker: { failureThreshold: 5, coolDown: 30_000 },
      prices: {},
      maxTranscriptChars: 60_000,
    });
  });

  it('parses the full form, from YAML with ${ENV} substitution, inside the whole config', () => {
    const yaml = [
      'judge:',
      '  model: gpt-4.1-mini',
      '  baseURL: ${JUDGE_URL}',
      '  apiKeyEnv: JUDGE_KEY',
      '  timeout: 10s',
      '  maxRetries: 1',
      '  repeats: ${REPEATS}',
      '  temperature: 0.5',
      '  rubrics: [faithfulness, tone]',
      '  custom:',
      '    - { name: refund_accuracy, instructions: Refund amounts match the tool result., labels: [accurate, inaccurate], scale: { min: 0, max: 10 } }',
      '  select:',
      '    - { when: { stratum: escalations }, rubrics: [escalation] }',
      "    - { when: { attribute: app.vertical, equals: bank }, rubrics: [policy, refund_accuracy], replace: true }",
      '  circuitBreaker: { failureThreshold: 3, coolDown: 1m }',
      '  prices: { my-model: { input: 1, output: 2 } }',
      '  scope: conversation',
      '',
    ].join('\n');
    const config = parseConfig(yaml, { env: { JUDGE_URL: 'http://127.0.0.1:9/v1', REPEATS: '3' } });
    expect(config.judge).toMatchObject({
      baseURL: 'http://127.0.0.1:9/v1',
      apiKeyEnv: 'JUDGE_KEY',
      timeout: 10_000,
      repeats: 3,
      temperature: 0.5,
      custom: [{ name: 'refund_accuracy', scale: { min: 0, max: 10, integer: true } }],
      select: [
        { when: { stratum: 'escalations' }, rubrics: ['escalation'], replace: false },
        { when: { attribute: 'app.vertical', equals: 'bank' }, rubrics: ['policy', 'refund_accuracy'], replace: true },
      ],
      circuitBreaker: { failureThreshold: 3, coolDown: 60_000 },
      prices: { 'my-model': { input: 1, output: 2 } },
      scope: 'conversation',
    });
  });

  it('an absent section means no judge', () => {
    expect(parseConfig('checks: {}', { env: {} }).judge).toBeUndefined();
  });

  it('names every bad field and value', () => {
    const issues = issuesOf({
      model: '',
      baseURL: 'not a url',
      timout: '30s',
      timeout: 'soon',
      concurrency: 0,
      temperature: 3,
      scope: 'session',
      rubrics: ['Faithfulness'],
      custom: [
        { name: 'x', instructions: 'i', labels: ['a', 'a'], scale: { min: 5, max: 1 } },
        { name: 'x', instructions: 'i', labels: ['a'] },
      ],
      select: [{ when: { cohort: 'bank' }, rubrics: ['tone'] }],
      prices: { m: { input: -1, output: 1 } },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'judge.timout: unknown key',
        expect.stringMatching(/^judge\.model: expected a non-empty string/),
        expect.stringMatching(/^judge\.baseURL: expected a URL like http:\/\/127\.0\.0\.1:8000\/v1, got "not a url"/),
        expect.stringMatching(/^judge\.timeout: expected a duration like "5m", "30s", "250ms".*got "soon"/),
        'judge.concurrency: expected a positive integer, got 0',
        'judge.temperature: expected a number from 0 to 2, got 3',
        'judge.scope: expected conversation or turn, got "session"',
        expect.stringMatching(/^judge\.rubrics\[0\]: expected a rubric name: lowercase letters/),
        expect.stringMatching(/^judge\.custom\[0\]\.labels: labels must be distinct/),
        expect.stringMatching(/^judge\.custom\[0\]\.scale\.max: min must be below max/),
        expect.stringMatching(/^judge\.select\[0\]\.when: expected \{ stratum: NAME \} or \{ attribute: NAME, equals: VALUE \}/),
        expect.stringMatching(/^judge\.prices\.m\.input: expected USD per 1M tokens/),
      ]),
    );
  });

  it('duplicate custom rubric names are reported at the second one', () => {
    const issues = issuesOf({ model: 'm', custom: [{ name: 'x', instructions: 'i', labels: ['a'] }, { name: 'x', instructions: 'j', labels: ['b'] }] });
    expect(issues).toEqual([expect.stringMatching(/^judge\.custom\[1\]\.name: rubric x is defined twice/)]);
  });

  it('parses to the options LlmJudge takes (type test) and builds a working judge from them', async () => {
    expectTypeOf<JudgeConfig>().toExtend<LlmJudgeOptions>();
    server = await startJudgeServer((request) => completionWith(rubricOf(request) === 'refund_accuracy' ? answer(8, 'accurate') : answer(5, 'faithful')));
    const config = parseJudge({
      model: 'gpt-4.1-mini',
      baseURL: server.baseURL,
      apiKeyEnv: 'JUDGE_KEY',
      maxRetries: 0,
      rubrics: ['faithfulness'],
      custom: [{ name: 'refund_accuracy', instructions: 'Refund amounts match.', labels: ['accurate', 'inaccurate'], scale: { min: 0, max: 10 } }],
      select: [{ when: { attribute: 'app.vertical', equals: 'bank' }, rubrics: ['refund_accuracy'] }],
    });
    const judge = new LlmJudge({ ...config, env: { JUDGE_KEY: 'secret-from-env' } });
    const results = await judge.evaluate(bookingConversation({ cohort: { 'app.vertical': 'bank' } }));
    expect(results.map((result) => [result.name, result.score])).toEqual([
      ['faithfulness', 1],
      ['refund_accuracy', 0.8],
    ]);
    expect(judgeRequests(server)[0].headers.authorization).toBe('Bearer secret-from-env');
  });

  it('a missing API key variable is a JudgeConfigError naming judge.apiKeyEnv', () => {
    const config = parseJudge({ model: 'gpt-4.1-mini', apiKeyEnv: 'JUDGE_KEY' });
    expect(() => new LlmJudge({ ...config, env: {} })).toThrow(JudgeConfigError);
    expect(() => new LlmJudge({ ...config, env: {} })).toThrow('judge.apiKeyEnv: environment variable JUDGE_KEY is not set');
  });

  it('library options are checked too, naming the field', () => {
    expect(() => new LlmJudge({ model: 'm', apiKey: 'k', concurrency: 0, repeats: 1.5, temperature: -1 })).toThrow(
      /judge\.temperature: expected a number from 0 to 2, got -1[\s\S]*judge\.concurrency: expected an integer >= 1, got 0[\s\S]*judge\.repeats: expected an integer >= 1, got 1\.5/,
    );
  });
});
