import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { CostMeter, estimateTokens } from '../../src/judge/index.ts';
import { answer, bookingConversation, completionWith, judgeOn, rubricOf, startJudgeServer } from './fixtures.ts';

describe('CostMeter', () => {
  it('prices usage per 1M tokens, configured prices over the built-in ones', () => {
    const meter = new CostMeter({ 'gpt-4.1-mini': { input: 1, output: 4 }, 'local-judge': { input: 0, output: 0 } });
    expect(meter.costUsd('gpt-4.1-mini', { inputTokens: 1_000_000, outputTokens: 500_000 })).toBe(3);
    expect(meter.costUsd('gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(0.15, 12);
    expect(meter.costUsd('local-judge', { inputTokens: 10, outputTokens: 10 })).toBe(0);
    expect(meter.costUsd('unknown-model', { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
  });

  it('matches dated snapshot names by the longest priced prefix', () => {
    const meter = new CostMeter();
    expect(meter.priceFor('gpt-4.1-mini-2025-04-14')).toEqual({ input: 0.4, output: 1.6 });
    expect(meter.priceFor('gpt-4.1-2025-04-14')).toEqual({ input: 2, output: 8 });
  });

  it('estimates before a call from characters / 4, and accumulates actual usage after', () => {
    const meter = new CostMeter({ m: { input: 2, output: 8 } });
    expect(estimateTokens(4001)).toBe(1001);
    expect(meter.estimate('m', 4000, 250)).toEqual({ inputTokens: 1000, outputTokens: 250, usd: (1000 * 2 + 250 * 8) / 1e6 });
    expect(meter.estimate('nope', 400)).toEqual({ inputTokens: 100, outputTokens: 300 });
    meter.record('m', { inputTokens: 100, outputTokens: 10 });
    meter.record('nope', { inputTokens: 5, outputTokens: 5 });
    expect(meter.totals()).toEqual({ inputTokens: 105, outputTokens: 15, usd: (100 * 2 + 10 * 8) / 1e6, unpricedCalls: 1 });
  });
});

describe('judge cost, estimated and actual', () => {
  let server: OpenAITestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('estimates a target before judging (all selected rubrics × repeats), then records what the server reported', async () => {
    const usage = { prompt_tokens: 900, completion_tokens: 60, total_tokens: 960 };
    server = await startJudgeServer((request) => completionWith(rubricOf(request) === 'tone' ? answer(4, 'appropriate') : answer(5, 'faithful'), usage));
    const judge = judgeOn(server, { rubrics: ['faithfulness', 'tone'], repeats: 2, prices: { 'gpt-4.1-mini': { input: 1, output: 10 } } });
    const estimate = judge.estimateCost(bookingConversation());
    expect(estimate.outputTokens).toBe(4 * 300);
    // The prompt carries the rubric text and the transcript: more than either alone.
    expect(estimate.inputTokens).toBeGreaterThan(4 * 500);
    expect(estimate.usd).toBeCloseTo((estimate.inputTokens * 1 + estimate.outputTokens * 10) / 1e6, 12);
    expect(server.requests).toHaveLength(0);

    const results = await judge.evaluate(bookingConversation());
    expect(results.map((result) => result.details?.['judge.cost_usd'])).toEqual([2 * ((900 + 600) / 1e6), 2 * ((900 + 600) / 1e6)]);
    expect(judge.stats().cost).toEqual({ inputTokens: 4 * 900, outputTokens: 4 * 60, usd: expect.closeTo(4 * 0.0015, 12), unpricedCalls: 0 });
  });

  it('records the pre-call estimate, flagged, when the client\'s parser rejected an answer and its usage with it', async () => {
    server = await startJudgeServer(() => completionWith(answer(7, 'faithful'))); // off the 1–5 scale
    const judge = judgeOn(server);
    const expected = judge.estimateCost(bookingConversation());
    const [result] = await judge.evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_invalid_output');
    expect(result.details).toMatchObject({ 'judge.usage_estimated': true, 'judge.input_tokens': expected.inputTokens, 'judge.output_tokens': expected.outputTokens });
  });

  it('leaves judge.cost_usd out for a model without a price, keeping the token counts', async () => {
    server = await startJudgeServer(() => completionWith(answer(5, 'faithful')));
    const [result] = await judgeOn(server, { model: 'local-llama' }).evaluate(bookingConversation());
    expect(result.details?.['judge.cost_usd']).toBeUndefined();
    expect(result.details).toMatchObject({ 'judge.model': 'local-llama', 'judge.input_tokens': 1200, 'judge.output_tokens': 80 });
  });
});
