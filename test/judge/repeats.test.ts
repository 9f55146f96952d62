import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { majorityLabel, spreadOf } from '../../src/judge/index.ts';
import { answer, bookingConversation, completionWith, judgeOn, judgeRequests, startJudgeServer } from './fixtures.ts';

let server: OpenAITestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('repeats for noisy rubrics', () => {
  it('judges n times and reports the mean as the score with spread (stddev, min, max) in details', async () => {
    const script = [answer(5, 'appropriate', 'warm'), answer(3, 'needs_work', 'curt'), answer(4, 'appropriate', 'fine')];
    server = await startJudgeServer((_request, index) => completionWith(script[index]));
    const judge = judgeOn(server, { rubrics: ['tone'], repeats: 3, temperature: 0.7, concurrency: 1 });
    const [result] = await judge.evaluate(bookingConversation());

    const requests = judgeRequests(server);
    expect(requests).toHaveLength(3);
    expect(requests.every((request) => request.body.temperature === 0.7)).toBe(true);
    // Normalized 1, 0.5, 0.75.
    expect(result.score).toBeCloseTo(0.75, 12);
    expect(result.label).toBe('appropriate');
    expect(result.explanation).toBe('fine'); // the reasoning closest to the mean
    expect(result.details).toMatchObject({ 'judge.repeats': 3, 'judge.repeats_ok': 3, 'judge.score_min': 0.5, 'judge.score_max': 1, 'judge.raw_scores': [5, 3, 4], 'judge.raw_score': 4 });
    expect(result.details?.['judge.score_mean']).toBeCloseTo(0.75, 12);
    expect(result.details?.['judge.score_stddev']).toBeCloseTo(0.25, 12); // sample stddev of 1, 0.5, 0.75
    expect(result.details?.['judge.input_tokens']).toBe(3 * 1200);
  });

  it('a failed repeat is reported, the answered ones still give the score', async () => {
    server = await startJudgeServer((_request, index) => (index === 1 ? { status: 500, json: { error: { message: 'boom' } } } : completionWith(answer(index === 0 ? 5 : 1, index === 0 ? 'faithful' : 'unfaithful'))));
    const [result] = await judgeOn(server, { repeats: 3, concurrency: 1 }).evaluate(bookingConversation());
    expect(result.score).toBe(0.5);
    expect(result.error).toBeUndefined();
    expect(result.details).toMatchObject({ 'judge.repeats_ok': 2, 'judge.repeats_failed': 1, 'judge.errors': ['judge_http_500'] });
    // A tie between labels goes to the worse one (listed later): disagreement never rounds up.
    expect(result.label).toBe('unfaithful');
  });

  it('spreadOf and majorityLabel', () => {
    expect(spreadOf([0.5])).toEqual({ mean: 0.5, stddev: 0, min: 0.5, max: 0.5 });
    expect(spreadOf([0, 1])).toMatchObject({ mean: 0.5, min: 0, max: 1 });
    expect(spreadOf([0, 1]).stddev).toBeCloseTo(Math.SQRT1_2, 12);
    expect(() => spreadOf([])).toThrow(RangeError);
    expect(majorityLabel(['b', 'a', 'b'], ['a', 'b'])).toBe('b');
    expect(majorityLabel(['a', 'b'], ['a', 'b', 'c'])).toBe('b');
  });
});
