import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { sqlite } from './sqlite.ts';

/**
 * Experiments in the embedded store (node:sqlite, WAL): one row per
 * experiment, one per (dataset row, repetition) run, one per evaluator result.
 * Its own tables and its own schema-version table, so it shares the database
 * file with other stores (review queue) without touching their tables.
 */

export const DEFAULT_STORE_PATH = '.tracejudge/tracejudge.db';
const SCHEMA_VERSION = 2;

export interface ExperimentRecord {
  readonly name: string;
  readonly datasetName: string;
  readonly datasetVersion: string;
  readonly repetitions: number;
  readonly agentModule: string;
  readonly gitCommit?: string;
  /** What the agent reported (prompt / model identifiers…), merged over the run. */
  readonly agentInfo: Readonly<Record<string, unknown>>;
  readonly status: 'running' | 'interrupted' | 'finished';
  readonly createdAt: string;
  readonly finishedAt?: string;
}

export interface StoredResult {
  readonly evaluator: string;
  readonly score?: number;
  readonly label?: string;
  readonly explanation?: string;
  readonly error?: string;
  /** What producing this result cost, when a model produced it (the LLM judge's `judge.cost_usd`). */
  readonly costUsd?: number;
}

export interface StoredRun {
  readonly rowId: string;
  readonly repetition: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly reply?: string;
  readonly error?: string;
  readonly latencyMs: number;
  readonly costUsd?: number;
  readonly results: readonly StoredResult[];
}

export class ExperimentStoreError extends Error {
  override readonly name = 'ExperimentStoreError';
}

export class ExperimentsStore {
  readonly #db: DatabaseSync;
  #writes: { run: StatementSync; clear: StatementSync; result: StatementSync } | undefined;

  constructor(path = DEFAULT_STORE_PATH) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new (sqlite().DatabaseSync)(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;');
    this.#migrate();
  }

  #migrate(): void {
    const db = this.#db;
    db.exec('CREATE TABLE IF NOT EXISTS experiments_schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM experiments_schema_version').get() as { version: number } | undefined;
    if (row && row.version > SCHEMA_VERSION) {
      throw new ExperimentStoreError(`experiments schema version ${row.version} is newer than this tracejudge (${SCHEMA_VERSION})`);
    }
    if (row?.version === SCHEMA_VERSION) return;
    if (row?.version === 1) {
      // Version 2: results keep what the model that produced them cost (the judge's spend per run).
      db.exec(`BEGIN; ALTER TABLE experiment_results ADD COLUMN cost_usd REAL;
        DELETE FROM experiments_schema_version; INSERT INTO experiments_schema_version (version) VALUES (${SCHEMA_VERSION}); COMMIT;`);
      return;
    }
    db.exec(`
      BEGIN;
      CREATE TABLE IF NOT EXISTS experiments (
        name TEXT PRIMARY KEY, dataset_name TEXT NOT NULL, dataset_version TEXT NOT NULL,
        repetitions INTEGER NOT NULL, agent_module TEXT NOT NULL, git_commit TEXT,
        agent_info TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT);
      CREATE TABLE IF NOT EXISTS experiment_runs (
        experiment TEXT NOT NULL, row_id TEXT NOT NULL, repetition INTEGER NOT NULL, tags TEXT NOT NULL,
        reply TEXT, error TEXT, latency_ms REAL NOT NULL, cost_usd REAL,
        PRIMARY KEY (experiment, row_id, repetition));
      CREATE TABLE IF NOT EXISTS experiment_results (
        experiment TEXT NOT NULL, row_id TEXT NOT NULL, repetition INTEGER NOT NULL, evaluator TEXT NOT NULL,
        score REAL, label TEXT, explanation TEXT, error TEXT, cost_usd REAL);
      CREATE INDEX IF NOT EXISTS experiment_results_by_experiment ON experiment_results (experiment, row_id, repetition);
      DELETE FROM experiments_schema_version;
      INSERT INTO experiments_schema_version (version) VALUES (${SCHEMA_VERSION});
      COMMIT;`);
  }

  getExperiment(name: string): ExperimentRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM experiments WHERE name = ?').get(name) as Record<string, any> | undefined;
    if (!row) return undefined;
    return {
      name: row.name,
      datasetName: row.dataset_name,
      datasetVersion: row.dataset_version,
      repetitions: row.repetitions,
      agentModule: row.agent_module,
      ...(row.git_commit ? { gitCommit: row.git_commit } : {}),
      agentInfo: JSON.parse(row.agent_info),
      status: row.status,
      createdAt: row.created_at,
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    };
  }

  listExperiments(): ExperimentRecord[] {
    const names = this.#db.prepare('SELECT name FROM experiments ORDER BY created_at').all() as { name: string }[];
    return names.map(({ name }) => this.getExperiment(name) as ExperimentRecord);
  }

  createExperiment(record: ExperimentRecord): void {
    this.#db
      .prepare('INSERT INTO experiments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(record.name, record.datasetName, record.datasetVersion, record.repetitions, record.agentModule,
        record.gitCommit ?? null, JSON.stringify(record.agentInfo), record.status, record.createdAt, record.finishedAt ?? null);
  }

  updateExperiment(name: string, update: { status: ExperimentRecord['status']; agentInfo?: Record<string, unknown>; finishedAt?: string }): void {
    const current = this.getExperiment(name);
    if (!current) throw new ExperimentStoreError(`experiment "${name}" does not exist`);
    this.#db
      .prepare('UPDATE experiments SET status = ?, agent_info = ?, finished_at = ? WHERE name = ?')
      .run(update.status, JSON.stringify({ ...current.agentInfo, ...update.agentInfo }), update.finishedAt ?? null, name);
  }

  /** One run and its results, atomically: a run is either wholly stored or not at all (resume relies on it). */
  saveRun(experiment: string, run: StoredRun): void {
    this.saveRuns(experiment, [run]);
  }

  /**
   * Several runs in one transaction: the runner writes in batches, because a
   * commit per run was a measured share of its per-row overhead. Still all or
   * nothing, so a stored run is always whole.
   */
  saveRuns(experiment: string, runs: readonly StoredRun[]): void {
    if (runs.length === 0) return;
    const db = this.#db;
    const statements = (this.#writes ??= {
      run: db.prepare('INSERT OR REPLACE INTO experiment_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      clear: db.prepare('DELETE FROM experiment_results WHERE experiment = ? AND row_id = ? AND repetition = ?'),
      result: db.prepare('INSERT INTO experiment_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    });
    db.exec('BEGIN');
    try {
      for (const run of runs) {
        statements.run.run(experiment, run.rowId, run.repetition, JSON.stringify(run.tags), run.reply ?? null, run.error ?? null, run.latencyMs, run.costUsd ?? null);
        statements.clear.run(experiment, run.rowId, run.repetition);
        for (const result of run.results) {
          statements.result.run(experiment, run.rowId, run.repetition, result.evaluator, result.score ?? null, result.label ?? null,
            result.explanation ?? null, result.error ?? null, result.costUsd ?? null);
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  /** `rowId#repetition` of every stored run. */
  doneRuns(experiment: string): Set<string> {
    const rows = this.#db.prepare('SELECT row_id, repetition FROM experiment_runs WHERE experiment = ?').all(experiment) as { row_id: string; repetition: number }[];
    return new Set(rows.map((row) => `${row.row_id}#${row.repetition}`));
  }

  loadRuns(experiment: string): StoredRun[] {
    const db = this.#db;
    const runs = new Map<string, StoredRun & { results: StoredResult[] }>();
    for (const row of db.prepare('SELECT * FROM experiment_runs WHERE experiment = ? ORDER BY row_id, repetition').all(experiment) as Record<string, any>[]) {
      runs.set(`${row.row_id}#${row.repetition}`, {
        rowId: row.row_id,
        repetition: row.repetition,
        tags: JSON.parse(row.tags),
        ...(row.reply !== null ? { reply: row.reply } : {}),
        ...(row.error !== null ? { error: row.error } : {}),
        latencyMs: row.latency_ms,
        ...(row.cost_usd !== null ? { costUsd: row.cost_usd } : {}),
        results: [],
      });
    }
    for (const row of db.prepare('SELECT * FROM experiment_results WHERE experiment = ?').all(experiment) as Record<string, any>[]) {
      runs.get(`${row.row_id}#${row.repetition}`)?.results.push({
        evaluator: row.evaluator,
        ...(row.score !== null ? { score: row.score } : {}),
        ...(row.label !== null ? { label: row.label } : {}),
        ...(row.explanation !== null ? { explanation: row.explanation } : {}),
        ...(row.error !== null ? { error: row.error } : {}),
        ...(row.cost_usd !== null ? { costUsd: row.cost_usd } : {}),
      });
    }
    return [...runs.values()];
  }

  close(): void {
    this.#db.close();
  }
}
