import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { CircuitBreaker } from '../../src/judge/index.ts';
import { answer, bookingConversation, completionWith, judgeOn, judgeRequests, startJudgeServer } from './fixtures.ts';

describe('CircuitBreaker (time passed in)', () => {
  it('opens after N consecutive failures, rejects while open, lets one probe through after the cool-down', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1_000 });
    for (let i = 0; i < 3; i++) {
      const permit = breaker.tryAcquire(0);
      expect(permit).toBeDefined();
      breaker.release(permit!, 'failure', 0);
    }
    expect(breaker.state(0)).toBe('open');
    expect(breaker.tryAcquire(999)).toBeUndefined();

    expect(breaker.state(1_000)).toBe('half_open');
    const probe = breaker.tryAcquire(1_000);
    expect(probe?.probe).toBe(true);
    // Only one probe at a time.
    expect(breaker.tryAcquire(1_000)).toBeUndefined();
    breaker.release(probe!, 'success', 1_010);
    expect(breaker.state(1_010)).toBe('closed');
    expect(breaker.stats(1_010)).toMatchObject({ timesOpened: 1, rejected: 2, consecutiveFailures: 0 });
  });

  it('a failed probe opens the circuit for another cool-down', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 500 });
    breaker.release(breaker.tryAcquire(0)!, 'failure', 0);
    const probe = breaker.tryAcquire(500)!;
    breaker.release(probe, 'failure', 600);
    expect(breaker.state(1_099)).toBe('open');
    expect(breaker.state(1_100)).toBe('half_open');
  });

  it('a success in between resets the count; neutral verdicts neither count nor reset', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 500 });
    breaker.release(breaker.tryAcquire(0)!, 'failure', 0);
    breaker.release(breaker.tryAcquire(0)!, 'success', 0);
    breaker.release(breaker.tryAcquire(0)!, 'failure', 0);
    breaker.release(breaker.tryAcquire(0)!, 'neutral', 0);
    expect(breaker.state(0)).toBe('closed');
    breaker.release(breaker.tryAcquire(0)!, 'failure', 0);
    expect(breaker.state(0)).toBe('open');
  });

  it('a neutral probe (caller gave up) frees the half-open slot for another probe', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 100 });
    breaker.release(breaker.tryAcquire(0)!, 'failure', 0);
    const probe = breaker.tryAcquire(100)!;
    breaker.release(probe, 'neutral', 150);
    expect(breaker.tryAcquire(150)?.probe).toBe(true);
  });

  it('ignores verdicts of calls started before the circuit changed state', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000 });
    const early = breaker.tryAcquire(0)!;
    const late = breaker.tryAcquire(0)!;
    breaker.release(early, 'failure', 0);
    breaker.release(late, 'success', 10); // started while closed: says nothing about the judge now
    expect(breaker.state(10)).toBe('open');
  });

  it('a Retry-After longer than the cool-down keeps the circuit open that long', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000 });
    breaker.release(breaker.tryAcquire(0)!, 'failure', 0, 5_000);
    expect(breaker.state(4_999)).toBe('open');
    expect(breaker.state(5_000)).toBe('half_open');
  });
});

describe('the judge behind a circuit breaker (local server, injected clock)', () => {
  let server: OpenAITestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('stops sending requests after N failures, reports judge_circuit_open, and recovers through a half-open probe', async () => {
    let healthy = false;
    server = await startJudgeServer(() => (healthy ? completionWith(answer(5, 'faithful')) : { status: 503, json: { error: { message: 'down' } } }));
    let now = 0;
    const judge = judgeOn(server, { circuitBreaker: { failureThreshold: 3, coolDown: 10_000 }, now: () => now });

    for (let i = 0; i < 3; i++) expect((await judge.evaluate(bookingConversation()))[0].error?.type).toBe('judge_unavailable');
    expect(judgeRequests(server)).toHaveLength(3);

    for (let i = 0; i < 5; i++) {
      const [result] = await judge.evaluate(bookingConversation());
      expect(result.error?.type).toBe('judge_circuit_open');
      expect(result.details?.['rubric.name']).toBe('faithfulness');
    }
    expect(judgeRequests(server)).toHaveLength(3); // nothing sent while open
    expect(judge.stats().circuit.state).toBe('open');

    now = 10_000; // cool-down over: one probe; the judge is still down → open again
    expect((await judge.evaluate(bookingConversation()))[0].error?.type).toBe('judge_unavailable');
    expect((await judge.evaluate(bookingConversation()))[0].error?.type).toBe('judge_circuit_open');
    expect(judgeRequests(server)).toHaveLength(4);

    now = 20_000;
    healthy = true;
    expect((await judge.evaluate(bookingConversation()))[0].score).toBe(1);
    expect(judge.stats().circuit.state).toBe('closed');
    expect((await judge.evaluate(bookingConversation()))[0].score).toBe(1);
    expect(judgeRequests(server)).toHaveLength(6);
    expect(judge.stats().circuit.timesOpened).toBe(2);
    expect(judge.stats().errors).toMatchObject({ judge_unavailable: 4, judge_circuit_open: 6 });
  });

  it('refusals and invalid answers do not open the circuit: the judge is alive', async () => {
    server = await startJudgeServer(() => completionWith('not json at all'));
    const judge = judgeOn(server, { circuitBreaker: { failureThreshold: 2, coolDown: 10_000 }, now: () => 0 });
    for (let i = 0; i < 4; i++) expect((await judge.evaluate(bookingConversation()))[0].error?.type).toBe('judge_invalid_output');
    expect(judge.stats().circuit.state).toBe('closed');
  });
});
