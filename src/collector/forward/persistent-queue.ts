import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { sqlite } from '../../store/sqlite.ts';

/**
 * Forward batches on disk (node:sqlite), so a restart does not lose what was accepted. A batch
 * is written when sealed, as the OTLP request body it will be sent as, and deleted after the
 * upstream accepted or finally refused it: delivery is at least once (a crash between the
 * upstream's 200 and the delete re-sends that one batch).
 */

export class PersistentQueueError extends Error {
  override readonly name = 'PersistentQueueError';
  readonly path: string;

  constructor(path: string, message: string) {
    super(`forward queue file ${JSON.stringify(path)}: ${message}`);
    this.path = path;
  }
}

export interface PersistedBatch {
  readonly id: number;
  readonly spanCount: number;
  readonly bytes: number;
  readonly contentType: string;
  /** When this process (or an earlier run) accepted it: the queue's age counts from here. */
  readonly createdAtMs: number;
}

const SCHEMA_VERSION = 1;
// SQLite result codes (https://sqlite.org/rescode.html).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

export class PersistentQueue {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly select: StatementSync;
  private readonly remove: StatementSync;

  /** Opens (or creates) the queue file; throws {@link PersistentQueueError} when it is locked, corrupt or foreign. */
  constructor(path: string) {
    this.path = path;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.db = new (sqlite().DatabaseSync)(path);
    } catch (error) {
      throw new PersistentQueueError(path, `cannot open: ${(error as Error).message}`);
    }
    try {
      // EXCLUSIVE: the first write takes a lock held until close, so a second forwarder on the
      // same file fails here instead of sending the same batches twice. WAL: a batch insert is
      // an append, not a rewrite; NORMAL sync survives a process crash (not a power cut).
      this.db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      this.db.exec('BEGIN IMMEDIATE');
      this.migrate();
      this.db.exec('COMMIT');
      const check = this.db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
      if (check.length !== 1 || check[0].quick_check !== 'ok') {
        throw new PersistentQueueError(path, `is corrupt (quick_check: ${check.map((row) => row.quick_check).join('; ')})${MOVE_ASIDE}`);
      }
      this.insert = this.db.prepare('INSERT INTO forward_batches (created_at, span_count, content_type, body) VALUES (?, ?, ?, ?)');
      this.select = this.db.prepare('SELECT content_type, body FROM forward_batches WHERE id = ?');
      this.remove = this.db.prepare('DELETE FROM forward_batches WHERE id = ?');
    } catch (error) {
      this.closeQuietly();
      throw error instanceof PersistentQueueError ? error : explain(path, error);
    }
  }

  /** The batches left by an earlier run, oldest first. */
  pending(): PersistedBatch[] {
    const rows = this.db
      .prepare('SELECT id, span_count, length(body) AS bytes, content_type, created_at FROM forward_batches ORDER BY id')
      .all() as { id: number; span_count: number; bytes: number; content_type: string; created_at: number }[];
    return rows.map((row) => ({ id: row.id, spanCount: row.span_count, bytes: row.bytes, contentType: row.content_type, createdAtMs: row.created_at }));
  }

  append(body: Uint8Array, spanCount: number, contentType: string, createdAtMs: number): number {
    return Number(this.insert.run(createdAtMs, spanCount, contentType, body).lastInsertRowid);
  }

  read(id: number): { contentType: string; body: Uint8Array } | undefined {
    const row = this.select.get(id) as { content_type: string; body: Uint8Array } | undefined;
    return row && { contentType: row.content_type, body: row.body };
  }

  delete(id: number): void {
    this.remove.run(id);
  }

  close(): void {
    this.closeQuietly();
  }

  private migrate(): void {
    const { user_version: version } = this.db.prepare('PRAGMA user_version').get() as { user_version: number };
    if (version === SCHEMA_VERSION) return;
    if (version !== 0) throw new PersistentQueueError(this.path, `has schema version ${version}; this tracejudge reads version ${SCHEMA_VERSION}`);
    const tables = this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    if (tables.length > 0) {
      throw new PersistentQueueError(this.path, `is an SQLite database of something else (tables: ${tables.map((t) => t.name).join(', ')}); give the forwarder its own file`);
    }
    // AUTOINCREMENT: ids never reused, so id order is arrival order across restarts.
    this.db.exec(`CREATE TABLE forward_batches (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      created_at INTEGER NOT NULL,
      span_count INTEGER NOT NULL,
      content_type TEXT NOT NULL,
      body BLOB NOT NULL
    ) STRICT; PRAGMA user_version = ${SCHEMA_VERSION};`);
  }

  private closeQuietly(): void {
    try {
      if (this.db?.isOpen) this.db.close();
    } catch {
      // closing a connection that failed to open; the original error is what matters
    }
  }
}

const MOVE_ASIDE = '; move it aside to start with an empty queue (its batches cannot be recovered)';

function explain(path: string, error: unknown): PersistentQueueError {
  const sqlite = error as { errcode?: number; message?: string };
  const detail = sqlite.message ?? String(error);
  if (sqlite.errcode === SQLITE_BUSY || sqlite.errcode === SQLITE_LOCKED) {
    return new PersistentQueueError(path, `is locked by another process (${detail}); each forwarder needs its own queue file`);
  }
  if (sqlite.errcode === SQLITE_NOTADB || sqlite.errcode === SQLITE_CORRUPT) {
    return new PersistentQueueError(path, `is not a valid SQLite database or is corrupt (${detail})${MOVE_ASIDE}`);
  }
  return new PersistentQueueError(path, `cannot be used: ${detail}`);
}
