import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { CompositeEvaluator, type EvaluationTarget, type Evaluator } from '../../src/judge/index.ts';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { answer, bookingConversation, completionWith, judgeOn, startJudgeServer } from './fixtures.ts';

let server: OpenAITestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A user-written evaluator, as in the Evaluator docs: async, no LLM. */
const replyLength: Evaluator = {
  name: 'reply_length',
  async evaluate(target: EvaluationTarget): Promise<EvaluationResult[]> {
    const reply = target.turns.at(-1)?.assistantReplies.join('\n') ?? '';
    const score = reply.length <= 60 ? 1 : 0;
    return [{ name: 'reply_length', score, label: score ? 'pass' : 'fail', source: 'deterministic', details: { 'reply.chars': reply.length } }];
  },
};

/** One that honours the cancellation signal, as the contract asks. */
const slowLookup: Evaluator = {
  name: 'slow_lookup',
  evaluate(_target, signal) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve([{ name: 'slow_lookup', score: 1, source: 'judge' }]), 60_000);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve([{ name: 'slow_lookup', source: 'judge', error: { type: 'aborted', message: 'cancelled' } }]);
      });
    });
  },
};

describe('Evaluator: the judge and user-written evaluators plug in the same way', () => {
  it('runs a user-written evaluator next to the LLM judge through one interface', async () => {
    server = await startJudgeServer(() => completionWith(answer(4, 'faithful')));
    const evaluators: Evaluator[] = [judgeOn(server), replyLength];
    const all = new CompositeEvaluator(evaluators);
    const results = await all.evaluate(bookingConversation());
    expect(results.map((result) => [result.name, result.score, result.label])).toEqual([
      ['faithfulness', 0.75, 'faithful'],
      ['reply_length', 1, 'pass'],
    ]);
    expect(results[1].details?.['reply.chars']).toBe('Done: booking B-1042 is confirmed for 20:00.'.length);
  });

  it('an evaluator that throws costs only its own results: evaluator_failed, the others still count', async () => {
    const broken: Evaluator = {
      name: 'broken',
      async evaluate() {
        throw new Error('lookup table missing');
      },
    };
    const notAList = { name: 'not_a_list', evaluate: async () => 'oops' } as unknown as Evaluator;
    const results = await new CompositeEvaluator([broken, replyLength, notAList]).evaluate(bookingConversation());
    expect(results).toEqual([
      { name: 'broken', source: 'judge', error: { type: 'evaluator_failed', message: 'evaluator "broken" threw: lookup table missing' } },
      expect.objectContaining({ name: 'reply_length', score: 1 }),
      { name: 'not_a_list', source: 'judge', error: { type: 'evaluator_failed', message: 'evaluator "not_a_list" resolved with string, expected a list of results' } },
    ]);
  });

  it('an evaluator that throws synchronously (not an async function) also costs only its own results', async () => {
    const sync = {
      name: 'sync_broken',
      evaluate() {
        throw new Error('bad config');
      },
    } as unknown as Evaluator;
    const results = await new CompositeEvaluator([sync, replyLength]).evaluate(bookingConversation());
    expect(results).toEqual([
      { name: 'sync_broken', source: 'judge', error: { type: 'evaluator_failed', message: 'evaluator "sync_broken" threw: bad config' } },
      expect.objectContaining({ name: 'reply_length', score: 1 }),
    ]);
  });

  it('passes the caller signal to every evaluator', async () => {
    const controller = new AbortController();
    const pending = new CompositeEvaluator([slowLookup, replyLength]).evaluate(bookingConversation(), controller.signal);
    controller.abort();
    const results = await pending;
    expect(results[0]).toMatchObject({ name: 'slow_lookup', error: { type: 'aborted' } });
    expect(results[1]).toMatchObject({ name: 'reply_length', score: 1 });
  });
});
