import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ResultSink } from '../../src/results/result-sink.ts';
import { listConversations, TracejudgeStore } from '../../src/store/index.ts';
import type { StoredConversation } from '../../src/store/index.ts';
import { judgeAnswer, startOnlineHarness, waitFor } from '../processors/support/online-harness.ts';
import type { OnlineHarness } from '../processors/support/online-harness.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

let harness: OnlineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(removeTempDirs);

function stored(path: string): StoredConversation[] {
  const store = TracejudgeStore.open(path);
  try {
    return listConversations(store);
  } finally {
    store.close();
  }
}

describe('what the store keeps of an online conversation', () => {
  it('a judged conversation the buffer forgot before the store wrote keeps its stratum, weight, cohort and user turns (the race made deterministic)', async () => {
    const path = join(makeTempDir('tracejudge-stored-context-'), 'tracejudge.db');
    // Runs as the judge's results are delivered, before the store's batch is written: the data's
    // clock jumps past the idle timeout (as in `tracejudge check` on a fast feed) and the buffer forgets.
    let forget = () => {};
    const forgetting: ResultSink = { write: (results) => (results.some((result) => result.source === 'judge') ? forget() : undefined) };
    harness = await startOnlineHarness(
      () => judgeAnswer(2),
      {
        sampling: { strata: [{ name: 'clinics', rate: 1, when: { attribute: 'app.vertical', equals: 'clinic' } }, { name: 'routine', rate: 0 }] },
        store: { path },
        conversations: { idleTimeout: 1_000 },
      },
      { resultSinks: [forgetting] },
    );
    const h = harness;
    forget = () => h.online.stage.sweepIdle(Date.now() + 60_000);
    const conversation = h.conversation('conv-race', { vertical: 'clinic' });
    await h.turn(conversation, 'Can I book Dr. Silva on Monday?', 'Monday at 10:00 is free.', { name: 'slots', result: { free: ['10:00'] } });
    let last = '';
    await conversation.turn('And the price?', async (turn) => {
      last = turn.span.spanContext().spanId;
      turn.reply('It is 80 EUR.');
      conversation.end();
    });
    await waitFor(() => h.spans().some((span) => span.spanContext().spanId === last));
    expect(h.online.stage.buffer.get('conv-race')).toBeUndefined();
    h.online.storeSink!.flush();

    const judged = stored(path).find((row) => row.spanId === last);
    expect(judged).toMatchObject({
      conversationId: 'conv-race',
      stratum: 'clinics',
      weight: 1,
      cohort: { 'app.vertical': 'clinic' },
      userMessages: ['Can I book Dr. Silva on Monday?', 'And the price?'],
    });
    expect(judged!.scores.map((score) => score.name)).toContain('faithfulness');
    // Recorded at the evaluated span's end, not when the batch was written.
    const span = h.span(last);
    expect(judged!.recordedAt).toBe(Math.floor(span.endTime[0] * 1000 + span.endTime[1] / 1e6));
  });

  it('passing results are stored by default, with every user turn so far; keepPassing: false keeps failures only', async () => {
    for (const keepPassing of [true, false]) {
      const path = join(makeTempDir('tracejudge-stored-context-'), 'tracejudge.db');
      harness = await startOnlineHarness(() => judgeAnswer(5), { sampling: { strata: [{ name: 'all', rate: 0 }] }, store: { path, keepPassing } });
      const h = harness;
      const conversation = h.conversation(`conv-pass-${keepPassing}`, { vertical: 'shop' });
      await h.turn(conversation, 'How much is the kettle?', 'The kettle is $25.', { name: 'price', result: { kettle: '$25' } });
      await h.turn(conversation, 'And the toaster?', 'The toaster is $40.');
      await h.close();
      harness = undefined;

      const rows = stored(path);
      if (!keepPassing) {
        // The toaster price is grounded nowhere: that failure is kept, the passing kettle turn is not.
        expect(rows.map((row) => row.scores.map((score) => `${score.name}:${score.label}`))).toEqual([['commitment.price:fail']]);
        continue;
      }
      expect(rows.length).toBeGreaterThanOrEqual(2);
      const kettle = rows.find((row) => row.scores.some((score) => score.name === 'commitment.price' && score.label === 'pass'));
      expect(kettle).toBeDefined();
      const toaster = rows.find((row) => row.scores.some((score) => score.name === 'commitment.price' && score.label === 'fail'));
      // A failed check keeps the conversation's context: every user turn so far, not only its own.
      expect(toaster!.userMessages).toEqual(['How much is the kettle?', 'And the toaster?']);
      expect(toaster!.cohort).toEqual({ 'app.vertical': 'shop' });
    }
  });
});
