import type { ExperimentRecord, StoredRun } from '../../store/experiments-store.ts';
import { mean, minimumDetectableDifference, newcombePairedDifference, pairedBootstrap, quantile } from './stats.ts';
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
  readonly ci: Interval;
  readonly method: 'newcombe-paired' | 'paired-bootstrap';
  /** Smallest difference these rows could detect (5% two-sided, 80% power). */
  readonly mdd: number;
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

interface RowSummary {
  readonly tags: Readonly<Record<string, string>>;
  readonly scores: Map<string, number>;
  readonly latencyMs: number;
  readonly costUsd?: number;
}

/** Per row: mean score per evaluator over repetitions, mean latency and cost; unstable rows noted. */
function summarize(experiment: string, runs: readonly StoredRun[], unstable: UnstableRow[]): Map<string, RowSummary> {
  const byRow = new Map<string, StoredRun[]>();
  for (const run of runs) byRow.set(run.rowId, [...(byRow.get(run.rowId) ?? []), run]);
  const rows = new Map<string, RowSummary>();
  for (const [rowId, reps] of byRow) {
    const perEvaluator = new Map<string, number[]>();
    for (const run of reps) {
      for (const result of run.results) {
        if (result.score === undefined) continue;
        perEvaluator.set(result.evaluator, [...(perEvaluator.get(result.evaluator) ?? []), result.score]);
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

function verdictOf(ci: Interval, mdd: number): MetricComparison['verdict'] {
  if (ci.high < 0) return 'regressed';
  if (ci.low > 0) return 'improved';
  // Contains 0: "no change" only when the rows could have seen a 5-point change.
  return mdd <= 0.05 ? 'no-change' : 'too-few-rows';
}

export function compareMetric(evaluator: string, group: string, a: readonly number[], b: readonly number[], seed = 1): MetricComparison {
  const n = a.length;
  const binary = a.every((x) => x === 0 || x === 1) && b.every((x) => x === 0 || x === 1);
  const differences = a.map((x, i) => b[i] - x);
  let ci: Interval;
  if (binary) {
    let both = 0, onlyA = 0, onlyB = 0, neither = 0;
    for (let i = 0; i < n; i++) {
      if (a[i] === 1 && b[i] === 1) both++;
      else if (a[i] === 1) onlyA++;
      else if (b[i] === 1) onlyB++;
      else neither++;
    }
    ci = newcombePairedDifference(both, onlyA, onlyB, neither);
  } else {
    ci = pairedBootstrap(n, (indices) => {
      let sum = 0;
      for (const index of indices) sum += differences[index];
      return sum / indices.length;
    }, { seed });
  }
  const mdd = minimumDetectableDifference(differences);
  return {
    evaluator, group, rows: n, baseline: mean(a), candidate: mean(b), delta: mean(differences),
    ci: { low: ci.low, high: ci.high }, method: binary ? 'newcombe-paired' : 'paired-bootstrap', mdd,
    verdict: verdictOf(ci, mdd), baselineScores: a, candidateScores: b,
  };
}

function ratioInterval(a: readonly number[], b: readonly number[], statistic: (values: number[]) => number, seed: number): Interval {
  return pairedBootstrap(a.length, (indices) => {
    const xs: number[] = [], ys: number[] = [];
    for (const index of indices) { xs.push(a[index]); ys.push(b[index]); }
    return statistic(ys) / statistic(xs);
  }, { seed, resamples: 1000 });
}

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
  const rowsA = summarize(a.name, baseline.runs, unstable);
  const rowsB = summarize(b.name, candidate.runs, unstable);
  const shared = [...rowsA.keys()].filter((id) => rowsB.has(id)).sort();
  if (shared.length === 0) throw new CompareError(`"${a.name}" and "${b.name}" have no rows in common`);

  const groups = new Map<string, string[]>([[ALL_ROWS, shared]]);
  for (const id of shared) {
    for (const [key, value] of Object.entries(rowsB.get(id)?.tags ?? {})) {
      const group = `${key}=${value}`;
      groups.set(group, [...(groups.get(group) ?? []), id]);
    }
  }
  const evaluators = new Set<string>();
  for (const id of shared) for (const name of rowsA.get(id)?.scores.keys() ?? []) if (rowsB.get(id)?.scores.has(name)) evaluators.add(name);

  const metrics: MetricComparison[] = [];
  const costLatency: CostLatencyComparison[] = [];
  const seed = options.seed ?? 20260101;
  for (const [group, ids] of [...groups].sort(([x], [y]) => (x === ALL_ROWS ? -1 : y === ALL_ROWS ? 1 : x.localeCompare(y)))) {
    for (const evaluator of [...evaluators].sort()) {
      const both = ids.filter((id) => rowsA.get(id)?.scores.has(evaluator) && rowsB.get(id)?.scores.has(evaluator));
      if (both.length === 0) continue;
      metrics.push(compareMetric(evaluator, group, both.map((id) => rowsA.get(id)?.scores.get(evaluator) as number),
        both.map((id) => rowsB.get(id)?.scores.get(evaluator) as number), seed));
    }
    const latencyA = ids.map((id) => rowsA.get(id)?.latencyMs as number);
    const latencyB = ids.map((id) => rowsB.get(id)?.latencyMs as number);
    const p95 = (values: number[]) => quantile(values, 0.95);
    const costIds = ids.filter((id) => rowsA.get(id)?.costUsd !== undefined && rowsB.get(id)?.costUsd !== undefined);
    const costA = costIds.map((id) => rowsA.get(id)?.costUsd as number);
    const costB = costIds.map((id) => rowsB.get(id)?.costUsd as number);
    costLatency.push({
      group, rows: ids.length, baselineP95Ms: p95(latencyA), candidateP95Ms: p95(latencyB),
      p95Ratio: p95(latencyB) / p95(latencyA), p95RatioCi: ratioInterval(latencyA, latencyB, p95, seed),
      ...(costIds.length > 0 ? {
        baselineMeanCostUsd: mean(costA), candidateMeanCostUsd: mean(costB), costRatio: mean(costB) / mean(costA),
        costRatioCi: ratioInterval(costA, costB, mean, seed),
      } : {}),
    });
  }
  return {
    baseline: a, candidate: b, sharedRows: shared.length,
    onlyInBaseline: rowsA.size - shared.length, onlyInCandidate: rowsB.size - shared.length,
    metrics, costLatency, unstable,
  };
}
