import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentsStore } from '../../src/store/experiments-store.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

/** The experiments tables as version 1 wrote them (before results kept their cost). */
function versionOneStore(path: string): void {
  const db = new DatabaseSync(path);
  db.exec(`
    CREATE TABLE experiments_schema_version (version INTEGER NOT NULL);
    INSERT INTO experiments_schema_version (version) VALUES (1);
    CREATE TABLE experiments (
      name TEXT PRIMARY KEY, dataset_name TEXT NOT NULL, dataset_version TEXT NOT NULL,
      repetitions INTEGER NOT NULL, agent_module TEXT NOT NULL, git_commit TEXT,
      agent_info TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT);
    CREATE TABLE experiment_runs (
      experiment TEXT NOT NULL, row_id TEXT NOT NULL, repetition INTEGER NOT NULL, tags TEXT NOT NULL,
      reply TEXT, error TEXT, latency_ms REAL NOT NULL, cost_usd REAL,
      PRIMARY KEY (experiment, row_id, repetition));
    CREATE TABLE experiment_results (
      experiment TEXT NOT NULL, row_id TEXT NOT NULL, repetition INTEGER NOT NULL, evaluator TEXT NOT NULL,
      score REAL, label TEXT, explanation TEXT, error TEXT);
    INSERT INTO experiments VALUES ('old', 'rows', '1', 1, 'agent.mjs', NULL, '{}', 'finished', '2026-11-01T00:00:00Z', NULL);
    INSERT INTO experiment_runs VALUES ('old', 'a', 0, '{}', 'hi', NULL, 12.5, 0.002);
    INSERT INTO experiment_results VALUES ('old', 'a', 0, 'correctness', 1, 'correct', 'fine', NULL);`);
  db.close();
}

describe('ExperimentsStore', () => {
  it('keeps what a result cost, and reads a version 1 store as it was, migrated in place', () => {
    const path = join(makeTempDir('tracejudge-experiments-'), 'tracejudge.db');
    versionOneStore(path);
    const store = new ExperimentsStore(path);
    try {
      // The run stored before the migration: whole, no cost on its result.
      expect(store.loadRuns('old')).toEqual([
        { rowId: 'a', repetition: 0, tags: {}, reply: 'hi', latencyMs: 12.5, costUsd: 0.002, results: [{ evaluator: 'correctness', score: 1, label: 'correct', explanation: 'fine' }] },
      ]);
      store.saveRun('old', { rowId: 'b', repetition: 0, tags: {}, latencyMs: 3, results: [{ evaluator: 'correctness', score: 0.5, costUsd: 0.0125 }, { evaluator: 'run.ok', score: 1 }] });
      expect(store.loadRuns('old').find((run) => run.rowId === 'b')?.results).toEqual([{ evaluator: 'correctness', score: 0.5, costUsd: 0.0125 }, { evaluator: 'run.ok', score: 1 }]);
    } finally {
      store.close();
    }
    // Opened again: already version 2, nothing migrated twice.
    const again = new ExperimentsStore(path);
    expect(again.loadRuns('old')).toHaveLength(2);
    again.close();
    const db = new DatabaseSync(path);
    expect(db.prepare('SELECT version FROM experiments_schema_version').all()).toEqual([{ version: 2 }]);
    db.close();
  });

  it('refuses a store written by a newer tracejudge, naming both versions', () => {
    const path = join(makeTempDir('tracejudge-experiments-'), 'tracejudge.db');
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE experiments_schema_version (version INTEGER NOT NULL); INSERT INTO experiments_schema_version (version) VALUES (3);');
    db.close();
    expect(() => new ExperimentsStore(path)).toThrow('experiments schema version 3 is newer than this tracejudge (2)');
  });
});
