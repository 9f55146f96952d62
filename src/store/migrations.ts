import type { DatabaseSync } from 'node:sqlite';

/**
 * Ordered schema migrations. Each runs once, in its own transaction with the
 * `schema_version` bump, so a crash leaves the file at the previous version.
 * Append only: never edit a migration that has shipped.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'evaluated conversations and their scores',
    sql: `
      CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        response_id TEXT,
        recorded_at INTEGER NOT NULL,
        stratum TEXT,
        weight REAL NOT NULL DEFAULT 1,
        cohort TEXT NOT NULL DEFAULT '{}',
        user_messages TEXT NOT NULL DEFAULT '[]',
        transcript TEXT NOT NULL DEFAULT '[]',
        UNIQUE (trace_id, span_id)
      );
      CREATE INDEX conversations_recorded_at ON conversations (recorded_at);
      CREATE TABLE scores (
        id INTEGER PRIMARY KEY,
        conversation_row INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        score REAL,
        label TEXT,
        explanation TEXT,
        source TEXT NOT NULL,
        error_type TEXT,
        details TEXT,
        UNIQUE (conversation_row, name, source)
      );
      CREATE INDEX scores_name_score ON scores (name, score);`,
  },
  {
    version: 2,
    description: 'review queue (self-contained copies: retention of conversations does not empty it)',
    sql: `
      CREATE TABLE review_items (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        evaluation TEXT NOT NULL,
        score REAL,
        label TEXT,
        explanation TEXT,
        source TEXT NOT NULL,
        details TEXT,
        stratum TEXT,
        weight REAL NOT NULL DEFAULT 1,
        cohort TEXT NOT NULL DEFAULT '{}',
        user_messages TEXT NOT NULL DEFAULT '[]',
        transcript TEXT NOT NULL DEFAULT '[]',
        recorded_at INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected', 'relabelled')),
        human_label TEXT,
        note TEXT,
        decided_at INTEGER,
        dataset TEXT,
        dataset_version TEXT,
        applied_at INTEGER,
        UNIQUE (trace_id, span_id, evaluation)
      );
      CREATE INDEX review_items_status ON review_items (status, score);`,
  },
  {
    version: 3,
    description: 'review queue retention by age and count (oldest first)',
    sql: `CREATE INDEX review_items_queued ON review_items (status, queued_at);`,
  },
];

export const SCHEMA_VERSION = migrations.at(-1)!.version;

export function currentVersion(db: DatabaseSync): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}
