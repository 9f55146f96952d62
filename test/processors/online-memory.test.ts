import { afterEach, describe, expect, it } from 'vitest';
import type { Evaluator } from '../../src/judge/index.ts';
import { judgeAnswer, startOnlineHarness, waitFor } from './support/online-harness.ts';
import type { OnlineHarness } from './support/online-harness.ts';

let harness: OnlineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A user-written evaluator that answers at once. */
const quick: Evaluator = {
  name: 'quick',
  evaluate: async () => [{ name: 'quick', score: 1, label: 'pass', source: 'judge' }],
};

describe('online stage memory', () => {
  it('forgets the held-span candidate of a judged conversation when the buffer evicts it', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(5), {}, { evaluator: quick, buffer: { maxOpen: 2 } });
    const h = harness;
    const conversations = 20;
    for (let i = 0; i < conversations; i++) {
      const conversation = h.conversation(`evicted-${i}`);
      let last = '';
      await conversation.turn(`question ${i}`, async (turn) => {
        last = turn.span.spanContext().spanId;
        turn.reply(`answer ${i}`);
        conversation.end();
      });
      // Judged and delivered on the held span before the next conversation evicts this one.
      await waitFor(() => h.spans().some((span) => span.spanContext().spanId === last));
    }
    const stats = h.online.stage.stats();
    expect(stats.judgmentsStarted).toBe(conversations);
    expect(stats.buffer.conversationsEvicted).toBe(conversations - 2);
    expect(stats.openConversations).toBe(2);
    // One per conversation still in the buffer at most, not one per conversation ever seen.
    expect(stats.candidateSpans).toBeLessThanOrEqual(2);
  });
});

describe('a user evaluator resolving malformed results', () => {
  it('resolving [null]: the held span is exported at once with a judge_failed result, nothing thrown off the span path', async () => {
    const malformed = { name: 'malformed', evaluate: async () => [null] } as unknown as Evaluator;
    harness = await startOnlineHarness(() => judgeAnswer(5), { judge: { holdMs: 60_000 } }, { evaluator: malformed });
    const h = harness;
    const conversation = h.conversation('conv-malformed');
    let last = '';
    await conversation.turn('Is it shipped?', async (turn) => {
      last = turn.span.spanContext().spanId;
      turn.reply('Yes.');
      conversation.end();
    });
    await waitFor(() => h.spans().some((span) => span.spanContext().spanId === last), 5_000);
    const result = h.results(last).find((attributes) => attributes['gen_ai.evaluation.name'] === 'malformed');
    expect(result?.['error.type']).toBe('judge_failed');
    expect(String(result?.['gen_ai.evaluation.explanation'] ?? result?.['error.message'] ?? '')).toMatch(/results\[0\]/);
  });
});
