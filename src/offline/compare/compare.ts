import type { ExperimentRecord, StoredRun } from '../../store/experiments-store.ts';
import { pairedMeanRatioBootstrap, pairedQuantileRatioBootstrap } from './bootstrap.ts';
import { exactMcNemar, pairedDifference } from './paired-difference.ts';
import { mean, minimumDetectableDifference, quantile } from './stats.ts';
import type { Interval } from './stats.ts';

/** The whole set, or the rows carrying one tag value (`vertical=salon`). */
export const ALL_ROWS = '*';

/** An unstable row: its repetitions disagree by at least this much (a pass/fail flip). */
export const UNSTABLE_SPREAD = 0.5;

export interface MetricComparison {
  readonly evaluator: string;
  readonly group: string;
  /** Rows scored in both experiments. */
  readonly rows: number;
  readonly baseline: number;
  readonly candidate: number;
  /** candidate − baseline (pass rate or mean score, absolute). */
  readonly delta: number;
  /** 95% interval of `delta`: the one every verdict and gate check reads (paired-difference.ts). */
  readonly ci: Interval;
  /** Newcombe's hybrid score interval over rows (repetitions averaged per row), for 0/1 and fractional scores alike. */
  readonly method: 'newcombe-paired';
  /** Smallest difference these rows could detect (5% two-sided, 80% power): for reading, decides nothing. */
  readonly mdd: number;
  /** Exact McNemar p-value (two-sided) when every score is 0/1. */
  readonly mcnemarP?: number;
  /**
   * From `ci`: `regressed` / `improved` when it excludes 0; `no-change` when it lies within
   * ±NO_CHANGE_MARGIN; else `too-few-rows` (these rows cannot tell a change from none).
   */
  readonly verdict: 'improved' | 'regressed' | 'no-change' | 'too-few-rows';
  readonly baselineScores: readonly number[];
  readonly candidateScores: readonly number[];
}

export interface CostLatencyComparison {
  readonly group: string;
  readonly rows: number;
  readonly baselineP95Ms: number;
  readonly candidateP95Ms: number;
  /** candidate p95 / baseline p95, with a paired-bootstrap interval. */
  readonly p95Ratio: number;
  readonly p95RatioCi: Interval;
  readonly baselineMeanCostUsd?: number;
  readonly candidateMeanCostUsd?: number;
  readonly costRatio?: number;
  readonly costRatioCi?: Interval;
}

export interface UnstableRow {
  readonly experiment: string;
  readonly rowId: string;
  readonly evaluator: string;
  readonly mean: number;
  readonly spread: number;
}

export interface Comparison {
  readonly baseline: ExperimentRecord;
  readonly candidate: ExperimentRecord;
  readonly sharedRows: number;
  readonly onlyInBaseline: number;
  readonly onlyInCandidate: number;
  readonly metrics: readonly MetricComparison[];
  readonly costLatency: readonly CostLatencyComparison[];
  readonly unstable: readonly UnstableRow[];
}

export class CompareError extends Error {
  override readonly name = 'CompareError';
}

export interface RowSummary {
  readonly tags: Readonly<Record<string, string>>;
  readonly scores: Map<string, number>;
  readonly latencyMs: number;
  readonly costUsd?: number;
}

/** Per row: mean score per evaluator over repetitions, mean latency and cost; unstable rows noted. */
export function summarizeRows(experiment: string, runs: readonly StoredRun[], unstable: UnstableRow[]): Map<string, RowSummary> {
  const byRow = new Map<string, StoredRun[]>();
  for (const run of runs) {
    const reps = byRow.get(run.rowId);
    if (reps) reps.push(run);
    else byRow.set(run.rowId, [run]);
  }
  const rows = new Map<string, RowSummary>();
  for (const [rowId, reps] of byRow) {
    const perEvaluator = new Map<string, number[]>();
    for (const run of reps) {
      for (const result of run.results) {
        if (result.score === undefined) continue;
        const values = perEvaluator.get(result.evaluator);
        if (values) values.push(result.score);
        else perEvaluator.set(result.evaluator, [result.score]);
      }
    }
    const scores = new Map<string, number>();
    for (const [evaluator, values] of perEvaluator) {
      const m = mean(values);
      scores.set(evaluator, m);
      const spread = Math.max(...values) - Math.min(...values);
      if (spread >= UNSTABLE_SPREAD) unstable.push({ experiment, rowId, evaluator, mean: m, spread });
    }
    const costs = reps.map((run) => run.costUsd).filter((cost): cost is number => cost !== undefined);
    rows.set(rowId, {
      tags: reps[0].tags,
      scores,
      latencyMs: mean(reps.map((run) => run.latencyMs)),
      ...(costs.length ? { costUsd: mean(costs) } : {}),
    });
  }
  return rows;
}

/** A change smaller than this (absolute points) is no change: an interval within ±5 points says "no change". */
export const NO_CHANGE_MARGIN = 0.05;

export function verdictOf(ci: Interval): MetricComparison['verdict'] {
  if (ci.high < 0) return 'regressed';
  if (ci.low > 0) return 'improved';
  return ci.low >= -NO_CHANGE_MARGIN && ci.high <= NO_CHANGE_MARGIN ? 'no-change' : 'too-few-rows';
}

function isBinary(values: readonly number[]): boolean {
  return values.every((x) => x === 0 || x === 1);
}

/** One evaluator on one group of paired rows (per-row scores: the mean of the row's repetitions). */
export function compareMetric(evaluator: string, group: string, a: readonly number[], b: readonly number[]): MetricComparison {
  const n = a.length;
  const differences = a.map((x, i) => b[i]! - x);
  const ci = pairedDifference(a, b);
  let mcnemarP: number | undefined;
  if (isBinary(a) && isBinary(b)) {
    let onlyA = 0, onlyB = 0;
    for (let i = 0; i < n; i++) {
      if (a[i] === 1 && b[i] === 0) onlyA++;
      else if (a[i] === 0 && b[i] === 1) onlyB++;
    }
    mcnemarP = exactMcNemar(onlyA, onlyB);
  }
  return {
    evaluator, group, rows: n, baseline: mean(a), candidate: mean(b), delta: mean(differences),
    ci: { low: ci.low, high: ci.high }, method: 'newcombe-paired', mdd: minimumDetectableDifference(differences),
    ...(mcnemarP !== undefined && { mcnemarP }),
    verdict: verdictOf(ci), baselineScores: a, candidateScores: b,
  };
}

/** Resamples for the p95-latency and mean-cost ratio intervals. */
const RATIO_RESAMPLES = 1000;

export interface CompareOptions {
  /** Compare only the rows both experiments ran, even on different dataset versions. */
  readonly sharedRows?: boolean;
  readonly seed?: number;
}

export function compareExperiments(
  baseline: { record: ExperimentRecord; runs: readonly StoredRun[] },
  candidate: { record: ExperimentRecord; runs: readonly StoredRun[] },
  options: CompareOptions = {},
): Comparison {
  const a = baseline.record, b = candidate.record;
  if (!options.sharedRows && (a.datasetName !== b.datasetName || a.datasetVersion !== b.datasetVersion)) {
    throw new CompareError(
      `"${a.name}" ran on dataset ${a.datasetName}@${a.datasetVersion} and "${b.name}" on ${b.datasetName}@${b.datasetVersion}: ` +
        'results on different rows are not comparable. Re-run one of them, or pass --shared-rows to compare the rows both have.',
    );
  }
  const unstable: UnstableRow[] = [];
  const rowsA = summarizeRows(a.name, baseline.runs, unstable);
  const rowsB = summarizeRows(b.name, candidate.runs, unstable);
  const shared = [...rowsA.keys()].filter((id) => rowsB.has(id)).sort();
  if (shared.length === 0) throw new CompareError(`"${a.name}" and "${b.name}" have no rows in common`);

  const groups = new Map<string, string[]>([[ALL_ROWS, shared]]);
  for (const id of shared) {
    for (const [key, value] of Object.entries(rowsB.get(id)?.tags ?? {})) {
      const group = `${key}=${value}`;
      const members = groups.get(group);
      if (members) members.push(id);
      else groups.set(group, [id]);
    }
  }
  const evaluators = new Set<string>();
  for (const id of shared) for (const name of rowsA.get(id)?.scores.keys() ?? []) if (rowsB.get(id)?.scores.has(name)) evaluators.add(name);

  const metrics: MetricComparison[] = [];
  const costLatency: CostLatencyComparison[] = [];
  const seed = options.seed ?? 20260101;
  const sortedEvaluators = [...evaluators].sort();
  for (const [group, ids] of [...groups].sort(([x], [y]) => (x === ALL_ROWS ? -1 : y === ALL_ROWS ? 1 : x.localeCompare(y)))) {
    const pairs = ids.map((id) => [rowsA.get(id) as RowSummary, rowsB.get(id) as RowSummary] as const);
    for (const evaluator of sortedEvaluators) {
      const both = pairs.filter(([x, y]) => x.scores.has(evaluator) && y.scores.has(evaluator));
      if (both.length === 0) continue;
      metrics.push(compareMetric(evaluator, group, both.map(([x]) => x.scores.get(evaluator) as number), both.map(([, y]) => y.scores.get(evaluator) as number)));
    }
    const latencyA = pairs.map(([x]) => x.latencyMs);
    const latencyB = pairs.map(([, y]) => y.latencyMs);
    const p95 = (values: number[]) => quantile(values, 0.95);
    const costPairs = pairs.filter(([x, y]) => x.costUsd !== undefined && y.costUsd !== undefined);
    const costA = costPairs.map(([x]) => x.costUsd as number);
    const costB = costPairs.map(([, y]) => y.costUsd as number);
    costLatency.push({
      group, rows: ids.length, baselineP95Ms: p95(latencyA), candidateP95Ms: p95(latencyB),
      p95Ratio: p95(latencyB) / p95(latencyA), p95RatioCi: pairedQuantileRatioBootstrap(latencyA, latencyB, 0.95, { seed, resamples: RATIO_RESAMPLES }),
      ...(costPairs.length > 0 ? {
        baselineMeanCostUsd: mean(costA), candidateMeanCostUsd: mean(costB), costRatio: mean(costB) / mean(costA),
        costRatioCi: pairedMeanRatioBootstrap(costA, costB, { seed, resamples: RATIO_RESAMPLES }),
      } : {}),
    });
  }
  return {
    baseline: a, candidate: b, sharedRows: shared.length,
    onlyInBaseline: rowsA.size - shared.length, onlyInCandidate: rowsB.size - shared.length,
    metrics, costLatency, unstable,
  };
}
