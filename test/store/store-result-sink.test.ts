import { afterAll, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { PiiMasker } from '../../src/privacy/index.ts';
import { countConversations, listConversations, listReviewItems, StoreResultSink, TracejudgeStore } from '../../src/store/index.ts';
import type { StoreTarget } from '../../src/store/index.ts';
import { tempStorePath } from './support/records.ts';
import { removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const masker = new PiiMasker();
const judged = (score: number): EvaluationResult[] => [{ name: 'faithfulness', score, label: score < 0.5 ? 'unfaithful' : 'faithful', source: 'judge' }];
const target = (n: number): StoreTarget => ({
  conversationId: `conv-${n}`,
  traceId: `t${n}`,
  spanId: `s${n}`,
  conversation: {
    userMessages: [`I am ana${n}@example.com, card 4111 1111 1111 1111`],
    transcript: [
      { role: 'user', text: `I am ana${n}@example.com, card 4111 1111 1111 1111` },
      { role: 'assistant', text: `Order 7731-2290 costs $1,250.00; we wrote to ana${n}@example.com` },
    ],
    cohort: { 'app.vertical': 'restaurants' },
    stratum: 'tool_calls',
    weight: 3,
  },
});

describe('StoreResultSink', () => {
  it('returns at once and writes the batch later, masked, with stratum and weight', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000 });
    expect(sink.write(judged(0.2), target(1))).toBeUndefined();
    expect(countConversations(store)).toBe(0);
    expect(sink.stats().buffered).toBe(1);
    sink.flush();
    const [stored] = listConversations(store);
    expect(stored).toMatchObject({ conversationId: 'conv-1', stratum: 'tool_calls', weight: 3, userMessages: ['I am <EMAIL_1>, card <CARD_1>'] });
    expect(stored!.transcript[1]!.text).toBe('Order 7731-2290 costs $1,250.00; we wrote to <EMAIL_1>');
    expect(JSON.stringify(store.db.prepare('SELECT * FROM conversations').all())).not.toMatch(/ana1@example\.com|4111 1111/);
    store.close();
  });

  it('flushes on its timer without anyone calling flush', async () => {
    const store = TracejudgeStore.open(tempStorePath());
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 1 });
    sink.write(judged(0.2), target(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(countConversations(store)).toBe(1);
    store.close();
  });

  it('bounds its buffer and counts what it drops', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const sink = new StoreResultSink(store, { masker, maxBuffered: 3, flushDelayMs: 60_000 });
    for (let n = 1; n <= 5; n++) sink.write(judged(0.1), target(n));
    expect(sink.stats()).toMatchObject({ buffered: 3, dropped: 2 });
    sink.flush();
    expect(listConversations(store).map((c) => c.conversationId)).toEqual(['conv-1', 'conv-2', 'conv-3']);
    expect(sink.stats()).toMatchObject({ buffered: 0, written: 3, dropped: 2 });
    store.close();
  });

  it('keeps passing results (and replies with nothing to check) too by default; keepPassing: false keeps only judged replies and failed checks', () => {
    for (const [keepPassing, expected] of [[undefined, ['conv-1', 'conv-2', 'conv-3']], [false, ['conv-2']]] as const) {
      const store = TracejudgeStore.open(tempStorePath());
      const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000, ...(keepPassing !== undefined && { keepPassing }) });
      sink.write([{ name: 'commitment.price', score: 1, label: 'pass', source: 'deterministic' }], target(1));
      sink.write([{ name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic' }], target(2));
      sink.write([], target(3));
      sink.flush();
      expect(listConversations(store).map((c) => c.conversationId)).toEqual(expected);
      store.close();
    }
  });

  it('records a result at its span\'s end when the target says so, else at the write', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000, now: () => 5_000 });
    sink.write(judged(0.2), { ...target(1), spanEndedAt: 1_234 });
    sink.write(judged(0.2), target(2));
    sink.flush();
    expect(listConversations(store).map((c) => [c.conversationId, c.recordedAt])).toEqual([['conv-1', 1_234], ['conv-2', 5_000]]);
    store.close();
  });

  it('routes scores below the threshold and failed checks into the review queue', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const sink = new StoreResultSink(store, { masker, reviewBelow: 0.5, flushDelayMs: 60_000 });
    sink.write(judged(0.25), target(1));
    sink.write(judged(0.75), target(2));
    sink.write([{ name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic' }], target(3));
    sink.flush();
    expect(listReviewItems(store).map((item) => [item.conversationId, item.evaluation, item.reason])).toEqual([
      ['conv-3', 'commitment.price', 'check failed'],
      ['conv-1', 'faithfulness', 'below 0.5'],
    ]);
    store.close();
  });

  it('a locked store keeps the batch for a later try, says so once, and writes it when the lock is gone', () => {
    const path = tempStorePath();
    const holder = TracejudgeStore.open(path);
    const store = TracejudgeStore.open(path, { busyTimeoutMs: 0 });
    const errors: string[] = [];
    const retries: string[] = [];
    const sink = new StoreResultSink(store, {
      masker,
      flushDelayMs: 60_000,
      onError: (error, lost) => errors.push(`${(error as Error).message} (${lost})`),
      onRetry: (error, count) => retries.push(`${(error as Error).message} (#${count})`),
    });
    holder.db.exec('BEGIN IMMEDIATE');
    sink.write(judged(0.1), target(1));
    expect(() => sink.flush()).not.toThrow();
    expect(retries).toEqual([expect.stringMatching(/is locked.*\(#1\)$/)]);
    expect(sink.stats()).toMatchObject({ failedBatches: 0, lostToErrors: 0, retries: 1, waitingForRetry: 1 });
    sink.write(judged(0.2), target(2));
    holder.db.exec('ROLLBACK');
    sink.flush();
    expect(errors).toEqual([]);
    expect(sink.stats()).toMatchObject({ written: 2, waitingForRetry: 0 });
    expect(countConversations(store)).toBe(2);
    holder.close();
    store.close();
  });

  it('an error that another try cannot mend (a closed store) loses the batch without throwing, and says so', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const errors: string[] = [];
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000, onError: (_error, lost) => errors.push(`lost ${lost}`) });
    store.close();
    sink.write(judged(0.1), target(1));
    expect(() => sink.flush()).not.toThrow();
    expect(errors).toEqual(['lost 1']);
    expect(sink.stats()).toMatchObject({ failedBatches: 1, lostToErrors: 1, retries: 0 });
  });

  it('looks the conversation up when the batch is written, so a turn that ended after the result is in it', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const known = new Map<string, NonNullable<StoreTarget['conversation']>>();
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000, context: (seen) => known.get(seen.conversationId) });
    sink.write([{ name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic' }], { conversationId: 'conv-9', traceId: 't9', spanId: 'child9' });
    // The turn span ends after the check ran on its chat child: only then does the front door know the turn.
    known.set('conv-9', { userMessages: ['Price for ana@example.com?'], transcript: [{ role: 'user', text: 'Price for ana@example.com?' }], cohort: { 'app.vertical': 'shop' }, stratum: 'routine', weight: 10 });
    sink.flush();
    expect(listConversations(store)[0]).toMatchObject({ conversationId: 'conv-9', userMessages: ['Price for <EMAIL_1>?'], stratum: 'routine', weight: 10, cohort: { 'app.vertical': 'shop' } });
    store.close();
  });

  it('a target that carries the sampling facts is the record; one without them asks the front door; else it keeps what it has', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const known = new Map<string, NonNullable<StoreTarget['conversation']>>();
    const fromBuffer = { userMessages: ['From the buffer'], transcript: [{ role: 'user', text: 'From the buffer' }], stratum: 'routine', weight: 10 };
    known.set('conv-1', fromBuffer);
    known.set('conv-2', fromBuffer);
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000, context: (seen) => known.get(seen.conversationId) });
    const failed: EvaluationResult[] = [{ name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic' }];
    const withoutSampling = (n: number): StoreTarget => {
      const { stratum: _stratum, weight: _weight, ...conversation } = target(n).conversation!;
      return { ...target(n), conversation };
    };
    sink.write(failed, withoutSampling(1));
    sink.write(failed, target(2));
    sink.write(failed, withoutSampling(3));
    sink.flush();
    const stored = Object.fromEntries(listConversations(store).map((row) => [row.conversationId, row]));
    expect(stored['conv-1']).toMatchObject({ userMessages: ['From the buffer'], stratum: 'routine', weight: 10 });
    expect(stored['conv-2']).toMatchObject({ userMessages: ['I am <EMAIL_1>, card <CARD_1>'], stratum: 'tool_calls', weight: 3 });
    expect(stored['conv-3']).toMatchObject({ userMessages: ['I am <EMAIL_1>, card <CARD_1>'], stratum: 'unsampled', weight: 1 });
    store.close();
  });

  it('a malformed target loses only itself, and says so; the rest of the batch is written', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const errors: string[] = [];
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000, onError: (error, lost) => errors.push(`${(error as Error).message} (${lost})`) });
    sink.write(judged(0.2), target(1));
    sink.write(judged(0.2), { ...target(2), spanId: '' });
    sink.write([{ name: 'faithfulness', score: 7, source: 'judge' }], target(3));
    sink.flush();
    expect(listConversations(store).map((c) => c.conversationId)).toEqual(['conv-1']);
    expect(errors).toEqual(['conversations[0].spanId: invalid value "" (1)', 'conversations[0].scores[0].score: invalid value 7 (1)']);
    expect(sink.stats()).toMatchObject({ written: 1, lostToErrors: 2 });
    store.close();
  });

  it('a flood of failing traffic: the review queue is pruned like the conversations (maxRows, oldest first)', () => {
    const store = TracejudgeStore.open(tempStorePath(), { maxRows: 300 });
    const sink = new StoreResultSink(store, { masker, flushDelayMs: 60_000, reviewBelow: 0.5, maxBuffered: 5_000 });
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 260; i++) sink.write(judged(0.1), target(round * 1_000 + i));
      sink.flush();
    }
    expect(countConversations(store)).toBe(300);
    const pending = listReviewItems(store, { status: 'pending', limit: 10_000 });
    expect(pending).toHaveLength(300);
    // The newest stay.
    expect(pending.every((item) => Number(item.conversationId.slice('conv-'.length)) >= 8_000)).toBe(true);
    store.close();
  });
});
