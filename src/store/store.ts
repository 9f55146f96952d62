import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { sqlite } from './sqlite.ts';
import { currentVersion, migrations, SCHEMA_VERSION } from './migrations.ts';
import type { Migration } from './migrations.ts';
import { StoreError, storeErrorOf } from './store-error.ts';

export interface StoreOptions {
  /** How long a writer waits for another's lock before failing (SQLite busy_timeout). Default 5 s. */
  readonly busyTimeoutMs?: number;
  /** Migrations to apply (tests open older schemas); default all. */
  readonly migrations?: readonly Migration[];
  /** Retention: at most this many conversations, the oldest pruned first. Default 100 000. */
  readonly maxRows?: number;
  /** Retention: conversations recorded longer ago than this are pruned. Default 30 days. */
  readonly maxAgeMs?: number;
  /** Rows deleted per prune on write, so a write never stalls on a large backlog. Default 500. */
  readonly pruneBatch?: number;
}

export interface Retention {
  readonly maxRows: number;
  readonly maxAgeMs: number;
  readonly pruneBatch: number;
}

/**
 * The embedded store: one node:sqlite file in WAL mode, so the collector and
 * the CLI can read while one writes, and writers wait `busyTimeoutMs` for each
 * other. Every write is one transaction: all of it lands or none.
 */
export class TracejudgeStore {
  readonly path: string;
  readonly db: DatabaseSync;
  readonly retention: Retention;

  private constructor(path: string, db: DatabaseSync, retention: Retention) {
    this.path = path;
    this.db = db;
    this.retention = retention;
  }

  /** Opens (creating if needed) and migrates. @throws StoreError: corrupt, locked, or a schema newer than this build. */
  static open(path: string, options: StoreOptions = {}): TracejudgeStore {
    const retention = {
      maxRows: positive(options.maxRows ?? 100_000, 'store.maxRows'),
      maxAgeMs: positive(options.maxAgeMs ?? 30 * 24 * 3_600_000, 'store.maxAgeMs'),
      pruneBatch: positive(options.pruneBatch ?? 500, 'store.pruneBatch'),
    };
    if (path !== ':memory:') {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw storeErrorOf(error, path, 'creating its folder');
      }
    }
    let db: DatabaseSync | undefined;
    try {
      db = new (sqlite().DatabaseSync)(path, { timeout: options.busyTimeoutMs ?? 5_000, enableForeignKeyConstraints: true });
      // WAL: readers never block the writer; busy_timeout (the `timeout` option) makes writers queue.
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      migrate(db, path, options.migrations ?? migrations);
      return new TracejudgeStore(path, db, retention);
    } catch (error) {
      db?.close();
      throw storeErrorOf(error, path, 'opening');
    }
  }

  get schemaVersion(): number {
    return currentVersion(this.db);
  }

  /** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock). */
  transaction<T>(doing: string, work: () => T): T {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw storeErrorOf(error, this.path, doing);
    }
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // already rolled back by SQLite (e.g. after SQLITE_FULL)
      }
      throw storeErrorOf(error, this.path, doing);
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

function migrate(db: DatabaseSync, path: string, list: readonly Migration[]): void {
  const at = currentVersion(db);
  const newest = list.at(-1)?.version ?? 0;
  if (at > SCHEMA_VERSION || at > newest) {
    throw new StoreError('schema', `store ${path} has schema version ${at}, newer than this tracejudge (${Math.min(SCHEMA_VERSION, newest)}); upgrade tracejudge`);
  }
  for (const migration of list) {
    if (migration.version <= at) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(migration.version, Date.now());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

function positive(value: number, field: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new StoreError('input', `${field}: expected a positive integer, got ${JSON.stringify(value)}`);
  return value;
}
