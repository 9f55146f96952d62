import type { Comparison, GateResult, MetricComparison } from '../compare/index.ts';
import { gateTable, metricTable } from './text-report.ts';

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Forest plot: one line per group for an evaluator, the delta with its 95% interval, zero marked. */
function forestPlot(evaluator: string, metrics: readonly MetricComparison[]): string {
  const rowHeight = 22, left = 170, width = 420, top = 28;
  const height = top + metrics.length * rowHeight + 24;
  const x = (value: number) => left + ((Math.max(-1, Math.min(1, value)) + 1) / 2) * width;
  const lines = metrics.map((m, i) => {
    const y = top + i * rowHeight + rowHeight / 2;
    const colour = m.verdict === 'regressed' ? '#c62828' : m.verdict === 'improved' ? '#2e7d32' : '#546e7a';
    return `<text x="${left - 8}" y="${y + 4}" text-anchor="end" font-size="12">${esc(m.group)}</text>` +
      `<line x1="${x(m.ci.low)}" x2="${x(m.ci.high)}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="3"/>` +
      `<circle cx="${x(m.delta)}" cy="${y}" r="5" fill="${colour}"><title>${esc(`${m.group}: Δ ${(m.delta * 100).toFixed(1)} pts [${(m.ci.low * 100).toFixed(1)}, ${(m.ci.high * 100).toFixed(1)}]`)}</title></circle>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${height}" role="img" aria-label="deltas for ${esc(evaluator)}">` +
    `<text x="4" y="16" font-size="13" font-weight="bold">${esc(evaluator)}: Δ pass rate / score, 95% CI</text>` +
    `<line x1="${x(0)}" x2="${x(0)}" y1="${top - 4}" y2="${height - 20}" stroke="#999" stroke-dasharray="4 3"/>` +
    `<text x="${x(-1)}" y="${height - 6}" font-size="10">−100</text><text x="${x(0) - 4}" y="${height - 6}" font-size="10">0</text><text x="${x(1) - 24}" y="${height - 6}" font-size="10">+100</text>` +
    lines.join('') + '</svg>';
}

/** Score distribution (10 bins) of baseline vs candidate over all rows. */
function histogram(metric: MetricComparison): string {
  const bins = (scores: readonly number[]) => {
    const counts = new Array<number>(10).fill(0);
    for (const score of scores) counts[Math.min(9, Math.floor(score * 10))]++;
    return counts;
  };
  const a = bins(metric.baselineScores), b = bins(metric.candidateScores);
  const most = Math.max(1, ...a, ...b);
  const barWidth = 14, height = 120;
  const bars = a.map((count, i) => {
    const x = 30 + i * (barWidth * 2 + 6);
    const ha = (count / most) * (height - 30), hb = (b[i] / most) * (height - 30);
    return `<rect x="${x}" y="${height - 15 - ha}" width="${barWidth}" height="${ha}" fill="#90a4ae"/><rect x="${x + barWidth}" y="${height - 15 - hb}" width="${barWidth}" height="${hb}" fill="#1565c0"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${30 + 10 * (barWidth * 2 + 6)}" height="${height}" role="img" aria-label="score distribution ${esc(metric.evaluator)}">` +
    `<text x="4" y="12" font-size="12">${esc(metric.evaluator)} (grey baseline, blue candidate; score 0 → 1)</text>${bars.join('')}</svg>`;
}

function table(rows: { header: readonly string[]; rows: readonly (readonly string[])[] }): string {
  return `<table><thead><tr>${rows.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.rows.map((row) => `<tr class="${row[0] === 'FAIL' ? 'fail' : ''}">${row.map((cell) => `<td>${esc(cell)}</td>`).join('')}</tr>`).join('') + '</tbody></table>';
}

/** A self-contained HTML report: no scripts, no external assets, charts as inline SVG. */
export function htmlReport(comparison: Comparison, gate?: GateResult): string {
  const { baseline: a, candidate: b } = comparison;
  const evaluators = [...new Set(comparison.metrics.map((m) => m.evaluator))];
  const charts = evaluators.map((evaluator) => {
    const rows = comparison.metrics.filter((m) => m.evaluator === evaluator);
    const overall = rows.find((m) => m.group === '*');
    return `<section class="chart">${forestPlot(evaluator, rows)}${overall ? histogram(overall) : ''}</section>`;
  });
  const status = gate ? (gate.passed ? '<p class="pass">Gate passed</p>' : `<p class="failhead">Gate failed: ${gate.failures.length} violation(s)</p>`) : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tracejudge: ${esc(b.name)} vs ${esc(a.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}table{border-collapse:collapse;font-size:13px;margin:12px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}tr.fail td{background:#ffebee}.pass{color:#2e7d32;font-weight:bold;font-size:18px}
.failhead{color:#c62828;font-weight:bold;font-size:18px}.chart{display:flex;gap:24px;align-items:flex-start;margin:16px 0}</style></head><body>
<h1>tracejudge comparison</h1>
<p>Baseline <b>${esc(a.name)}</b> vs candidate <b>${esc(b.name)}</b> on dataset <code>${esc(b.datasetName)}@${esc(b.datasetVersion)}</code>, ${comparison.sharedRows} shared rows.</p>
${status}${gate ? table(gateTable(gate)) : ''}
<h2>Deltas by group</h2>${charts.join('\n')}
<h2>All evaluators</h2>${table(metricTable(comparison))}
</body></html>
`;
}
