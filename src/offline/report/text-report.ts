import type { Comparison, GateResult, MetricComparison } from '../compare/index.ts';

const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–');
const signed = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}` : '–');

function verdictText(metric: MetricComparison): string {
  return metric.verdict === 'too-few-rows' ? `too few rows to tell (MDD ${pct(metric.mdd)})` : metric.verdict;
}

export interface TableRows {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export function metricTable(comparison: Comparison): TableRows {
  return {
    header: ['group', 'evaluator', 'rows', 'baseline', 'candidate', 'Δ pts', '95% CI', 'verdict'],
    rows: comparison.metrics.map((m) => [m.group, m.evaluator, String(m.rows), pct(m.baseline), pct(m.candidate), signed(m.delta), `${signed(m.ci.low)} … ${signed(m.ci.high)}`, verdictText(m)]),
  };
}

export function gateTable(gate: GateResult): TableRows {
  return {
    header: ['status', 'rule', 'group', 'evaluator', 'Δ', '95% CI', 'note'],
    rows: gate.checks.map((c) => [c.status.toUpperCase(), c.rule, c.group, c.metric, signed(c.observed), `${signed(c.low)} … ${signed(c.high)}`, c.note]),
  };
}

function aligned({ header, rows }: TableRows): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The terminal report: metrics per group, cost / latency, unstable rows, then the gate. */
export function textReport(comparison: Comparison, gate?: GateResult): string {
  const { baseline: a, candidate: b } = comparison;
  const parts = [
    `baseline  ${a.name} (${a.datasetName}@${a.datasetVersion}${a.gitCommit ? `, ${a.gitCommit.slice(0, 10)}` : ''})`,
    `candidate ${b.name} (${b.datasetName}@${b.datasetVersion}${b.gitCommit ? `, ${b.gitCommit.slice(0, 10)}` : ''})`,
    `${comparison.sharedRows} shared rows` + (comparison.onlyInBaseline + comparison.onlyInCandidate > 0 ? ` (${comparison.onlyInBaseline} only in baseline, ${comparison.onlyInCandidate} only in candidate)` : ''),
    '',
    aligned(metricTable(comparison)),
    '',
    aligned({
      header: ['group', 'p95 ms A', 'p95 ms B', 'p95 Δ', 'cost A $', 'cost B $'],
      rows: comparison.costLatency.map((c) => [c.group, c.baselineP95Ms.toFixed(1), c.candidateP95Ms.toFixed(1), signed(c.p95Ratio - 1) + '%',
        c.baselineMeanCostUsd?.toFixed(6) ?? '–', c.candidateMeanCostUsd?.toFixed(6) ?? '–']),
    }),
  ];
  if (comparison.unstable.length > 0) parts.push('', `${comparison.unstable.length} unstable row/evaluator pair(s) (repetitions disagree): ${comparison.unstable.slice(0, 10).map((u) => `${u.experiment}:${u.rowId}:${u.evaluator}`).join(', ')}`);
  if (gate) parts.push('', gate.passed ? 'GATE PASSED' : `GATE FAILED: ${gate.failures.length} rule check(s) violated`, aligned(gate.failures.length ? { ...gateTable(gate), rows: gateTable(gate).rows.filter((row) => row[0] === 'FAIL') } : gateTable(gate)));
  return `${parts.join('\n')}\n`;
}
