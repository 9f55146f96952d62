import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { countConversations, listConversations, migrations, recordConversations, SCHEMA_VERSION, StoreError, TracejudgeStore } from '../../src/store/index.ts';
import { conversationRecord, tempStorePath } from './support/records.ts';
import { removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const run = promisify(execFile);
const DAY = 86_400_000;

describe('TracejudgeStore: schema', () => {
  it('creates every table at the newest version and records each migration', () => {
    const store = TracejudgeStore.open(tempStorePath());
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const versions = store.db.prepare('SELECT version FROM schema_version ORDER BY version').all().map((row: any) => row.version);
    expect(versions).toEqual(migrations.map((migration) => migration.version));
    expect((store.db.prepare('PRAGMA journal_mode').get() as any).journal_mode).toBe('wal');
    store.close();
  });

  it('migrates an older file in order and keeps its rows', () => {
    const path = tempStorePath();
    const old = TracejudgeStore.open(path, { migrations: migrations.slice(0, 1) });
    expect(old.schemaVersion).toBe(1);
    recordConversations(old, [conversationRecord({ conversationId: 'kept' })], 1_000_000);
    old.close();
    const store = TracejudgeStore.open(path);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(listConversations(store).map((c) => c.conversationId)).toEqual(['kept']);
    expect(store.db.prepare('SELECT count(*) AS n FROM review_items').get()).toEqual({ n: 0 });
    store.close();
  });

  it('refuses a file from a newer tracejudge', () => {
    const path = tempStorePath();
    TracejudgeStore.open(path).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_version VALUES (99, 0)').run();
    db.close();
    expect(() => TracejudgeStore.open(path)).toThrow(/schema version 99, newer than this tracejudge/);
  });

  it('names a corrupt file and how to recover', () => {
    const path = tempStorePath();
    writeFileSync(path, 'this is not sqlite at all, just some text that is long enough to look like a header'.repeat(100));
    const error = (() => {
      try {
        TracejudgeStore.open(path);
      } catch (caught) {
        return caught as StoreError;
      }
    })();
    expect(error).toBeInstanceOf(StoreError);
    expect(error?.kind).toBe('corrupt');
    expect(error?.message).toContain(path);
  });
});

describe('TracejudgeStore: writes', () => {
  it('stores scores with their provenance, stratum and weight', () => {
    const store = TracejudgeStore.open(tempStorePath());
    recordConversations(store, [conversationRecord({ conversationId: 'c1', stratum: 'escalations', weight: 1, scores: [
      { name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic', details: { ungrounded: ['$30.00'] } },
      { name: 'faithfulness', score: 0.5, label: 'partially_faithful', source: 'judge', explanation: 'one claim' },
    ] })], 1_000_000);
    const [stored] = listConversations(store);
    expect(stored).toMatchObject({ conversationId: 'c1', stratum: 'escalations', weight: 1 });
    expect(stored!.scores).toEqual([
      { name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic', details: { ungrounded: ['$30.00'] } },
      { name: 'faithfulness', score: 0.5, label: 'partially_faithful', source: 'judge', explanation: 'one claim' },
    ]);
    store.close();
  });

  it('writes a batch atomically: one bad record and nothing of the batch lands', () => {
    const store = TracejudgeStore.open(tempStorePath());
    const bad = conversationRecord({ scores: [{ name: 'tone', score: 7, source: 'judge' }] });
    expect(() => recordConversations(store, [conversationRecord(), bad], 1_000_000)).toThrow('conversations[1].scores[0].score: invalid value 7');
    expect(countConversations(store)).toBe(0);
    store.close();
  });

  it('prunes by age and by row count, in batches per write', () => {
    const store = TracejudgeStore.open(tempStorePath(), { maxRows: 5, maxAgeMs: 10 * DAY, pruneBatch: 2 });
    const now = 100 * DAY;
    recordConversations(store, [1, 2, 3].map((age) => conversationRecord({ conversationId: `old-${age}`, recordedAt: now - (20 + age) * DAY })), now - 30 * DAY);
    expect(countConversations(store)).toBe(3);
    recordConversations(store, [conversationRecord({ conversationId: 'new-0', recordedAt: now })], now);
    // Batch of 2: the two oldest expired rows go, one expired row waits for the next write.
    expect(listConversations(store).map((c) => c.conversationId)).toEqual(['old-1', 'new-0']);
    recordConversations(store, [1, 2, 3, 4, 5].map((n) => conversationRecord({ conversationId: `new-${n}`, recordedAt: now + n })), now);
    expect(countConversations(store)).toBe(5);
    expect(listConversations(store).map((c) => c.conversationId)).toEqual(['new-1', 'new-2', 'new-3', 'new-4', 'new-5']);
    expect(store.db.prepare('SELECT count(*) AS n FROM scores').get()).toEqual({ n: 5 });
    store.close();
  });

  it('a locked file gives a clear error and no partial write', () => {
    const path = tempStorePath();
    const holder = TracejudgeStore.open(path);
    const writer = TracejudgeStore.open(path, { busyTimeoutMs: 50 });
    holder.db.exec('BEGIN IMMEDIATE');
    let error: unknown;
    try {
      recordConversations(writer, [conversationRecord(), conversationRecord()], 1_000_000);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).kind).toBe('locked');
    expect((error as Error).message).toContain(`store ${path} is locked`);
    holder.db.exec('ROLLBACK');
    expect(countConversations(writer)).toBe(0);
    recordConversations(writer, [conversationRecord()], 1_000_000);
    expect(countConversations(holder)).toBe(1);
    holder.close();
    writer.close();
  });

  it('two processes write concurrently and every row lands', async () => {
    const path = tempStorePath();
    TracejudgeStore.open(path).close();
    const script = fileURLToPath(new URL('./support/writer-process.ts', import.meta.url));
    const [a, b] = await Promise.all([run(process.execPath, [script, path, 'a', '150']), run(process.execPath, [script, path, 'b', '150'])]);
    expect([a.stdout, b.stdout]).toEqual(['done\n', 'done\n']);
    const store = TracejudgeStore.open(path);
    const ids = listConversations(store).map((c) => c.conversationId);
    expect(ids.filter((id) => id.startsWith('a-'))).toHaveLength(150);
    expect(ids.filter((id) => id.startsWith('b-'))).toHaveLength(150);
    store.close();
  });

  it('a reader and a writer connection see each other (WAL)', () => {
    const path = tempStorePath();
    const writer = TracejudgeStore.open(path);
    const reader = TracejudgeStore.open(path);
    reader.db.exec('BEGIN');
    expect(countConversations(reader)).toBe(0);
    recordConversations(writer, [conversationRecord()], 1_000_000);
    // The open read transaction keeps its snapshot; the writer was not blocked by it.
    expect(countConversations(reader)).toBe(0);
    reader.db.exec('COMMIT');
    expect(countConversations(reader)).toBe(1);
    writer.close();
    reader.close();
  });
});
