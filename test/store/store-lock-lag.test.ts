import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { PiiMasker } from '../../src/privacy/index.ts';
import { countConversations, StoreResultSink, TracejudgeStore } from '../../src/store/index.ts';
import { removeTempDirs } from '../support/temp-dir.ts';
import { tempStorePath } from './support/records.ts';

afterAll(removeTempDirs);

const HOLD_MS = 8_000;

/** Another process (a second replica, a backup, a sqlite3 shell) holding the store's write lock for `ms`. */
function holdWriteLock(path: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); }, ${ms});
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const released = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('locked')) resolve({ released });
    });
  });
}

describe('the store never holds the host\'s event loop on another writer\'s lock', () => {
  it(`a lock held ${HOLD_MS / 1000} s by another process: the loop's longest gap stays under 50 ms, the batch is written after`, async () => {
    const path = tempStorePath();
    const store = TracejudgeStore.open(path, { busyTimeoutMs: 0 });
    const retries: number[] = [];
    const sink = new StoreResultSink(store, { masker: new PiiMasker(), flushDelayMs: 20, onRetry: (_error, count) => retries.push(count) });
    const { released } = await holdWriteLock(path, HOLD_MS);

    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const judged: EvaluationResult[] = [{ name: 'faithfulness', score: 0.2, label: 'unfaithful', source: 'judge' }];
    for (let i = 0; i < 50; i++) {
      sink.write(judged, { conversationId: `conv-${i}`, traceId: `t${i}`, spanId: `s${i}` });
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await released;
    const deadline = Date.now() + 5_000;
    while (sink.stats().written < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    clearInterval(ticker);

    expect(longestGap).toBeLessThan(50);
    expect(sink.stats()).toMatchObject({ written: 50, dropped: 0, lostToErrors: 0, waitingForRetry: 0 });
    expect(sink.stats().retries).toBeGreaterThan(0);
    expect(retries[0]).toBe(1);
    expect(countConversations(store)).toBe(50);
    store.close();
  }, 30_000);
});
