import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { JudgeQueue } from '../../src/judge/index.ts';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { bookingConversation, judgeOn, judgeRequests, startJudgeServer } from './fixtures.ts';

function deferred(): { promise: Promise<string>; resolve: (value: string) => void } {
  let resolve!: (value: string) => void;
  const promise = new Promise<string>((done) => (resolve = done));
  return { promise, resolve };
}

describe('JudgeQueue', () => {
  it('runs at most `concurrency` tasks, holds at most `maxQueued`, sheds and counts the rest without blocking', async () => {
    const queue = new JudgeQueue({ concurrency: 2, maxQueued: 3 });
    const gates = Array.from({ length: 5 }, deferred);
    let started = 0;
    const admissions = Array.from({ length: 12 }, (_, index) =>
      queue.offer(() => {
        started++;
        return gates[index].promise;
      }),
    );
    expect(admissions.map((admission) => admission.accepted)).toEqual([true, true, true, true, true, false, false, false, false, false, false, false]);
    expect(queue.stats()).toMatchObject({ running: 2, queued: 3, shed: 7 });
    expect(started).toBe(2);

    gates[0].resolve('a');
    gates[1].resolve('b');
    const first = admissions[0];
    if (first.accepted) expect(await first.result).toBe('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(4);
    expect(queue.stats()).toMatchObject({ running: 2, queued: 1 });
    for (const gate of gates) gate.resolve('done');
    await queue.idle();
    expect(queue.stats()).toMatchObject({ running: 0, queued: 0, completed: 5, shed: 7 });
  });

  it('a waiting task whose signal aborts leaves the queue and rejects with the reason', async () => {
    const queue = new JudgeQueue({ concurrency: 1, maxQueued: 5 });
    const gate = deferred();
    queue.offer(() => gate.promise);
    const controller = new AbortController();
    const waiting = queue.offer(() => Promise.resolve('never'), controller.signal);
    expect(queue.stats().queued).toBe(1);
    controller.abort(new Error('deadline'));
    if (!waiting.accepted) throw new Error('expected admission');
    await expect(waiting.result).rejects.toThrow('deadline');
    expect(queue.stats()).toMatchObject({ queued: 0, cancelled: 1 });
    gate.resolve('x');
    await queue.idle();
  });

  it('close() refuses new work and cancels what waits', async () => {
    const queue = new JudgeQueue({ concurrency: 1, maxQueued: 5 });
    const gate = deferred();
    queue.offer(() => gate.promise);
    const waiting = queue.offer(() => Promise.resolve('never'));
    queue.close(new Error('shutting down'));
    if (!waiting.accepted) throw new Error('expected admission');
    await expect(waiting.result).rejects.toThrow('shutting down');
    expect(queue.offer(() => Promise.resolve('late'))).toEqual({ accepted: false, reason: 'closed' });
    gate.resolve('x');
    await queue.idle();
  });
});

describe('the judge queue under a stalled judge (local server that never answers)', () => {
  let server: OpenAITestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('with 10× more items than the queue holds, memory stays bounded and the excess is shed at once and counted', async () => {
    server = await startJudgeServer(() => ({ hang: true }));
    const concurrency = 2;
    const maxQueue = 5;
    const judge = judgeOn(server, { concurrency, maxQueue, timeout: 60_000, deadline: 60_000 });
    const controller = new AbortController();

    const items = 10 * maxQueue;
    const pending: Promise<EvaluationResult[]>[] = [];
    let maxSeenQueued = 0;
    for (let i = 0; i < items; i++) {
      pending.push(judge.evaluate(bookingConversation({ conversationId: `conv-${i}` }), controller.signal));
      maxSeenQueued = Math.max(maxSeenQueued, judge.stats().queue.queued);
    }
    expect(maxSeenQueued).toBe(maxQueue);
    expect(judge.stats().queue).toMatchObject({ running: concurrency, queued: maxQueue, shed: items - concurrency - maxQueue });

    // Shed work resolves now, while the accepted work is still stalled: the caller never waits for a slot.
    const shed = await Promise.all(pending.slice(concurrency + maxQueue));
    expect(shed.every(([result]) => result.error?.type === 'judge_queue_full')).toBe(true);
    expect(shed[0][0].error?.message).toContain('work shed');

    // Only `concurrency` requests ever reach the stalled server.
    await vi.waitFor(() => expect(judgeRequests(server!)).toHaveLength(concurrency));

    controller.abort();
    const accepted = await Promise.all(pending.slice(0, concurrency + maxQueue));
    expect(accepted.map(([result]) => result.error?.type)).toEqual(Array(concurrency + maxQueue).fill('judge_aborted'));
    await judge.close();
    expect(judge.stats().queue).toMatchObject({ running: 0, queued: 0, shed: items - concurrency - maxQueue, cancelled: maxQueue });
    expect(judge.stats().errors['judge_queue_full']).toBe(items - concurrency - maxQueue);
  });
});
