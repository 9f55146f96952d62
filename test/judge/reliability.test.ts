import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import type { EvaluationTarget } from '../../src/judge/index.ts';
import { answer, bookingConversation, completionWith, judgeOn, judgeRequests, startJudgeServer } from './fixtures.ts';

let server: OpenAITestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a judge that is down, slow or throttling yields error results, never a rejection', () => {
  it('429 with Retry-After: 1 is retried by the openai client after the wait, then succeeds', async () => {
    const arrivals: number[] = [];
    server = await startJudgeServer((_request, index) => {
      arrivals.push(Date.now());
      return index === 0
        ? { status: 429, headers: { 'retry-after': '1' }, json: { error: { message: 'Rate limit reached', type: 'requests' } } }
        : completionWith(answer(5, 'faithful'));
    });
    const [result] = await judgeOn(server, { maxRetries: 2 }).evaluate(bookingConversation());
    expect(result).toMatchObject({ score: 1, label: 'faithful' });
    expect(judgeRequests(server)).toHaveLength(2);
    // Lower bound only: the client slept for Retry-After (1 s) rather than its 0.5 s default backoff.
    expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(900);
  });

  it('429 that outlasts the retries is judge_rate_limited, after exactly maxRetries + 1 requests (no double retry)', async () => {
    server = await startJudgeServer(() => ({ status: 429, headers: { 'retry-after-ms': '10' }, json: { error: { message: 'Rate limit reached' } } }));
    const [result] = await judgeOn(server, { maxRetries: 2 }).evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_rate_limited');
    expect(result.error?.message).toContain('3 attempt(s)');
    expect(judgeRequests(server)).toHaveLength(3);
  });

  it('500s are retried by the client, then reported as judge_http_500', async () => {
    server = await startJudgeServer(() => ({ status: 500, json: { error: { message: 'internal error' } } }));
    const [result] = await judgeOn(server, { maxRetries: 1 }).evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_http_500');
    expect(result.error?.message).toContain('internal error');
    expect(judgeRequests(server)).toHaveLength(2);
  });

  it('503 is judge_unavailable; a 400 not about the response format is judge_http_400 without retry', async () => {
    server = await startJudgeServer(() => ({ status: 503, json: { error: { message: 'overloaded' } } }));
    const [unavailable] = await judgeOn(server).evaluate(bookingConversation());
    expect(unavailable.error?.type).toBe('judge_unavailable');

    server.setHandler(() => ({ status: 400, json: { error: { message: "This model's maximum context length is 8192 tokens" } } }));
    const before = judgeRequests(server).length;
    const [badRequest] = await judgeOn(server, { maxRetries: 2 }).evaluate(bookingConversation());
    expect(badRequest.error?.type).toBe('judge_http_400');
    expect(judgeRequests(server).length - before).toBe(1);
  });

  it('a hanging server gives judge_timeout after the per-attempt timeout on every attempt', async () => {
    server = await startJudgeServer(() => ({ hang: true }));
    const [result] = await judgeOn(server, { timeout: 200, maxRetries: 1 }).evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_timeout');
    expect(result.error?.message).toBe('no answer within 200ms, 2 attempt(s)');
    expect(judgeRequests(server)).toHaveLength(2);
  });

  it('the overall deadline ends the evaluation even when timeout × retries is much longer', async () => {
    server = await startJudgeServer(() => ({ hang: true }));
    const judge = judgeOn(server, { timeout: 20_000, maxRetries: 2, deadline: 300, rubrics: ['faithfulness', 'tone'] });
    const results = await judge.evaluate(bookingConversation());
    expect(results.map((result) => result.error?.type)).toEqual(['judge_timeout', 'judge_timeout']);
    // The message names the deadline, which only the deadline signal produces (not the 20 s per-attempt timeout).
    expect(results[0].error?.message).toBe('no answer within the overall deadline of 300ms');
    expect(judgeRequests(server)).toHaveLength(2);
  });

  it('an unreachable endpoint is judge_unavailable', async () => {
    const closed = await startJudgeServer(() => completionWith(answer(5, 'faithful')));
    await closed.close();
    const [result] = await judgeOn(closed, { maxRetries: 0 }).evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_unavailable');
  });

  it('a caller abort ends the evaluation with judge_aborted', async () => {
    const controller = new AbortController();
    server = await startJudgeServer(() => {
      controller.abort();
      return { hang: true };
    });
    const [result] = await judgeOn(server).evaluate(bookingConversation(), controller.signal);
    expect(result.error?.type).toBe('judge_aborted');
  });

  it('a malformed target resolves with an error result instead of rejecting', async () => {
    server = await startJudgeServer(() => completionWith(answer(5, 'faithful')));
    const broken = { ...bookingConversation(), turns: undefined } as unknown as EvaluationTarget;
    const results = await judgeOn(server).evaluate(broken);
    expect(results).toHaveLength(1);
    expect(results[0].error?.type).toBe('judge_failed');
    expect(judgeRequests(server)).toHaveLength(0);
  });
});
