import type { Comparison, ExperimentScores, GateCheck, GateResult, MetricComparison } from '../compare/index.ts';

const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–');
const signed = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}` : '–');
const pValue = (p: number | undefined) => (p === undefined ? '–' : p >= 0.5 ? '≥0.5' : p < 0.0001 ? '<0.0001' : p.toFixed(4));

export interface ReportOptions {
  /** Every group and every gate check, not only what changed. */
  readonly verbose?: boolean;
}

function verdictText(metric: MetricComparison): string {
  return metric.verdict === 'too-few-rows' ? 'too few rows to tell' : metric.verdict;
}

export interface TableRows {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const SEVERITY: Readonly<Record<MetricComparison['verdict'], number>> = { regressed: 0, improved: 1, 'too-few-rows': 2, 'no-change': 3 };

/** Regressions first (the largest drop first), then improvements (largest first), then the rest. */
export function bySeverity(metrics: readonly MetricComparison[]): MetricComparison[] {
  return [...metrics].sort((x, y) => SEVERITY[x.verdict] - SEVERITY[y.verdict] || (x.verdict === 'improved' ? y.delta - x.delta : x.delta - y.delta));
}

export function changedMetrics(comparison: Comparison): MetricComparison[] {
  return bySeverity(comparison.metrics.filter((m) => m.verdict === 'regressed' || m.verdict === 'improved'));
}

export function metricTable(comparison: Comparison, metrics: readonly MetricComparison[] = bySeverity(comparison.metrics)): TableRows {
  return {
    header: ['group', 'evaluator', 'rows', 'baseline', 'candidate', 'Δ pts', '95% CI', 'verdict'],
    rows: metrics.map((m) => [m.group, m.evaluator, String(m.rows), pct(m.baseline), pct(m.candidate), signed(m.delta), `${signed(m.ci.low)} … ${signed(m.ci.high)}`, verdictText(m)]),
  };
}

/** The groups that did not change with confidence, one line per evaluator. */
export function unchangedLines(comparison: Comparison): string[] {
  const lines: string[] = [];
  const evaluators = [...new Set(comparison.metrics.map((m) => m.evaluator))];
  for (const evaluator of evaluators) {
    const rest = comparison.metrics.filter((m) => m.evaluator === evaluator && m.verdict !== 'regressed' && m.verdict !== 'improved');
    if (rest.length === 0) continue;
    const same = rest.filter((m) => m.verdict === 'no-change');
    const unsure = rest.filter((m) => m.verdict === 'too-few-rows');
    const parts = [];
    if (same.length > 0) parts.push(`${same.length} group(s) no change`);
    if (unsure.length > 0) parts.push(`${unsure.length} too few rows to tell (${list(unsure.map((m) => m.group))})`);
    lines.push(`${evaluator}: ${parts.join(', ')}`);
  }
  return lines;
}

function list(names: readonly string[], most = 6): string {
  return names.length <= most ? names.join(', ') : `${names.slice(0, most).join(', ')}, … ${names.length - most} more`;
}

export function gateTable(gate: GateResult, checks: readonly GateCheck[] = gate.checks): TableRows {
  const adjusted = gate.adjustment === 'none' ? 'p' : `p (${gate.adjustment})`;
  return {
    header: ['status', 'rule', 'group', 'evaluator', 'Δ', '95% CI', adjusted, 'note'],
    rows: checks.map((c) => [c.status.toUpperCase(), c.rule, c.group, c.metric, signed(c.observed), `${signed(c.low)} … ${signed(c.high)}`, pValue(c.adjustedP), c.note]),
  };
}

/** What the gate says: failures when it failed; else the checks it could not decide (all with `verbose`). */
export function gateLines(gate: GateResult, options: ReportOptions = {}): { headline: string; table?: TableRows } {
  const inconclusive = gate.checks.filter((c) => c.status === 'inconclusive');
  const within = gate.checks.filter((c) => c.status === 'pass').length;
  const adjustment = gate.adjustment === 'none' ? 'no multiplicity adjustment' : `${gate.adjustment === 'holm' ? 'Holm' : 'Benjamini–Hochberg'}-adjusted within each rule`;
  if (!gate.passed) {
    return {
      headline: `GATE FAILED: ${gate.failures.length} rule check(s) violated (${adjustment}); ${within} within limit, ${inconclusive.length} inconclusive`,
      table: gateTable(gate, options.verbose ? gate.checks : gate.failures),
    };
  }
  const shown = options.verbose ? gate.checks : inconclusive;
  return {
    headline: `GATE PASSED: ${within} check(s) within limit, ${inconclusive.length} inconclusive (never failing; ${adjustment})`,
    ...(shown.length > 0 && { table: gateTable(gate, shown) }),
  };
}

export function aligned({ header, rows }: TableRows): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The terminal report: what changed first, the rest folded (all with `verbose`), cost / latency, unstable rows, the gate. */
export function textReport(comparison: Comparison, gate?: GateResult, options: ReportOptions = {}): string {
  const { baseline: a, candidate: b } = comparison;
  const parts = [
    `baseline  ${a.name} (${a.datasetName}@${a.datasetVersion}${a.gitCommit ? `, ${a.gitCommit.slice(0, 10)}` : ''})`,
    `candidate ${b.name} (${b.datasetName}@${b.datasetVersion}${b.gitCommit ? `, ${b.gitCommit.slice(0, 10)}` : ''})`,
    `${comparison.sharedRows} shared rows` + (comparison.onlyInBaseline + comparison.onlyInCandidate > 0 ? ` (${comparison.onlyInBaseline} only in baseline, ${comparison.onlyInCandidate} only in candidate)` : ''),
    '',
  ];
  if (gate) {
    const { headline, table } = gateLines(gate, options);
    parts.push(headline, ...(table ? [aligned(table)] : []), '');
  }
  if (options.verbose) {
    parts.push(aligned(metricTable(comparison)));
  } else {
    const changed = changedMetrics(comparison);
    const regressed = changed.filter((m) => m.verdict === 'regressed').length;
    parts.push(changed.length === 0 ? 'no group changed with 95% confidence' : `changed: ${regressed} regressed, ${changed.length - regressed} improved (95% CI excludes 0)`);
    if (changed.length > 0) parts.push(aligned(metricTable(comparison, changed)));
    const unchanged = unchangedLines(comparison);
    if (unchanged.length > 0) parts.push('', 'unchanged (--verbose for every group):', ...unchanged.map((line) => `  ${line}`));
  }
  parts.push(
    '',
    aligned({
      header: ['group', 'p95 ms A', 'p95 ms B', 'p95 Δ', 'cost A $', 'cost B $'],
      rows: (options.verbose ? comparison.costLatency : comparison.costLatency.filter((c) => c.group === '*')).map((c) => [c.group, c.baselineP95Ms.toFixed(1), c.candidateP95Ms.toFixed(1), signed(c.p95Ratio - 1) + '%',
        c.baselineMeanCostUsd?.toFixed(6) ?? '–', c.candidateMeanCostUsd?.toFixed(6) ?? '–']),
    }),
  );
  if (comparison.unstable.length > 0) parts.push('', `${comparison.unstable.length} unstable row/evaluator pair(s) (repetitions disagree): ${comparison.unstable.slice(0, 10).map((u) => `${u.experiment}:${u.rowId}:${u.evaluator}`).join(', ')}`);
  parts.push('', 'intervals: Newcombe hybrid score, paired on rows (repetitions averaged per row)');
  return `${parts.join('\n')}\n`;
}

export function scoresTable(scores: ExperimentScores): TableRows {
  return {
    header: ['group', 'evaluator', 'rows', 'score', '95% CI'],
    rows: scores.scores.map((s) => [s.group, s.evaluator, String(s.rows), pct(s.mean), `${pct(s.ci.low)} … ${pct(s.ci.high)}`]),
  };
}

/** One experiment's scores per evaluator and tag (`eval` without `--baseline`). */
export function textScores(scores: ExperimentScores): string {
  const { experiment: e } = scores;
  const parts = [`experiment ${e.name} (${e.datasetName}@${e.datasetVersion}${e.gitCommit ? `, ${e.gitCommit.slice(0, 10)}` : ''}), ${scores.rows} rows`, '', aligned(scoresTable(scores))];
  if (scores.failedRuns.length > 0) parts.push('', `${scores.failedRuns.length} run(s) failed (agent threw or timed out): run.ok scores them 0, other evaluators skip them`);
  parts.push('', 'intervals: Wilson 95%, rows as units (repetitions averaged per row)');
  return `${parts.join('\n')}\n`;
}
