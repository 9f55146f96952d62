import type { Comparison, GateResult } from '../compare/index.ts';
import { gateTable, metricTable } from './text-report.ts';
import type { TableRows } from './text-report.ts';

const escape = (cell: string) => cell.replace(/\|/g, '\\|');

function table({ header, rows }: TableRows): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');
}

/** Markdown for a CI step summary ($GITHUB_STEP_SUMMARY): the gate first, then the details. */
export function markdownReport(comparison: Comparison, gate?: GateResult): string {
  const { baseline: a, candidate: b } = comparison;
  const parts = [`## tracejudge: ${b.name} vs ${a.name}`, '', `Dataset \`${b.datasetName}@${b.datasetVersion}\`, ${comparison.sharedRows} shared rows.`];
  if (gate) {
    parts.push('', gate.passed ? '**Gate passed.**' : `**Gate failed** — ${gate.failures.length} violation(s):`);
    const shown = gate.passed ? gateTable(gate) : { ...gateTable(gate), rows: gateTable(gate).rows.filter((row) => row[0] === 'FAIL') };
    parts.push('', table(shown));
  }
  parts.push('', '<details><summary>All evaluators by group</summary>', '', table(metricTable(comparison)), '', '</details>');
  return `${parts.join('\n')}\n`;
}
