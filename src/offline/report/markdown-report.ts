import type { Comparison, ExperimentScores, GateResult } from '../compare/index.ts';
import { changedMetrics, gateLines, metricTable, scoresTable, unchangedLines } from './text-report.ts';
import type { ReportOptions, TableRows } from './text-report.ts';

const escape = (cell: string) => cell.replace(/\|/g, '\\|');

function table({ header, rows }: TableRows): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');
}

/** Markdown for a CI step summary ($GITHUB_STEP_SUMMARY): the gate first, then what changed, then the details. */
export function markdownReport(comparison: Comparison, gate?: GateResult, options: ReportOptions = {}): string {
  const { baseline: a, candidate: b } = comparison;
  const parts = [`## tracejudge: ${b.name} vs ${a.name}`, '', `Dataset \`${b.datasetName}@${b.datasetVersion}\`, ${comparison.sharedRows} shared rows.`];
  if (gate) {
    const { headline, table: checks } = gateLines(gate, options);
    parts.push('', gate.passed ? `**Gate passed.** ${headline.replace(/^GATE PASSED: /, '')}` : `**Gate failed** — ${headline.replace(/^GATE FAILED: /, '')}:`);
    if (checks) parts.push('', table(checks));
  }
  const changed = changedMetrics(comparison);
  parts.push('', changed.length === 0 ? 'No group changed with 95% confidence.' : '### What changed', ...(changed.length > 0 ? ['', table(metricTable(comparison, changed))] : []));
  const unchanged = unchangedLines(comparison);
  if (unchanged.length > 0) parts.push('', ...unchanged.map((line) => `- ${line}`));
  parts.push('', '<details><summary>All evaluators by group</summary>', '', table(metricTable(comparison)), '', '</details>');
  return `${parts.join('\n')}\n`;
}

export function markdownScores(scores: ExperimentScores): string {
  const { experiment: e } = scores;
  const failed = scores.failedRuns.length > 0 ? ` ${scores.failedRuns.length} run(s) failed (agent threw or timed out).` : '';
  return `## tracejudge: ${e.name}\n\nDataset \`${e.datasetName}@${e.datasetVersion}\`, ${scores.rows} rows.${failed}\n\n${table(scoresTable(scores))}\n`;
}
