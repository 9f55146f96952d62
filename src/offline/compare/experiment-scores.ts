import type { ExperimentRecord, StoredRun } from '../../store/experiments-store.ts';
import { ALL_ROWS, summarizeRows } from './compare.ts';
import { wilson } from './stats.ts';
import type { Interval } from './stats.ts';

/** One evaluator on one group of an experiment's rows: what `eval` without `--baseline` reports. */
export interface GroupScore {
  readonly evaluator: string;
  /** `*` (all rows) or `tag=value`. */
  readonly group: string;
  readonly rows: number;
  /** Pass rate / mean score over rows (each row: the mean of its repetitions). */
  readonly mean: number;
  /** Wilson 95% interval of the mean (for fractional scores with the variance bound p(1 − p): conservative). */
  readonly ci: Interval;
}

export interface ExperimentScores {
  readonly experiment: ExperimentRecord;
  readonly rows: number;
  readonly scores: readonly GroupScore[];
  /** Runs whose agent threw or timed out. */
  readonly failedRuns: readonly { rowId: string; repetition: number; error: string }[];
}

/** An experiment's scores per evaluator and tag, from its stored runs. */
export function experimentScores(record: ExperimentRecord, runs: readonly StoredRun[]): ExperimentScores {
  const rows = summarizeRows(record.name, runs, []);
  const groups = new Map<string, string[]>([[ALL_ROWS, [...rows.keys()].sort()]]);
  for (const [id, row] of rows) {
    for (const [key, value] of Object.entries(row.tags)) {
      const group = `${key}=${value}`;
      groups.set(group, [...(groups.get(group) ?? []), id]);
    }
  }
  const evaluators = [...new Set([...rows.values()].flatMap((row) => [...row.scores.keys()]))].sort();
  const scores: GroupScore[] = [];
  for (const [group, ids] of [...groups].sort(([x], [y]) => (x === ALL_ROWS ? -1 : y === ALL_ROWS ? 1 : x.localeCompare(y)))) {
    for (const evaluator of evaluators) {
      const values = ids.map((id) => rows.get(id)!.scores.get(evaluator)).filter((value): value is number => value !== undefined);
      if (values.length === 0) continue;
      const sum = values.reduce((total, value) => total + value, 0);
      scores.push({ evaluator, group, rows: values.length, mean: sum / values.length, ci: wilson(sum, values.length) });
    }
  }
  const failedRuns = runs.filter((run) => run.error !== undefined).map((run) => ({ rowId: run.rowId, repetition: run.repetition, error: run.error! }));
  return { experiment: record, rows: rows.size, scores, failedRuns };
}
