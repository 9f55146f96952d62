import type { Comparison, ExperimentScores, GateResult, MetricComparison } from '../compare/index.ts';
import { bySeverity, gateLines, gateTable, metricTable, scoresTable } from './text-report.ts';
import type { TableRows } from './text-report.ts';

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const points = (value: number) => `${value >= 0 && value !== 0 ? '+' : ''}${(value * 100).toFixed(value !== 0 && Math.abs(value) < 0.1 ? 1 : 0)}`;
const COLOUR: Readonly<Record<MetricComparison['verdict'], string>> = { regressed: '#c62828', improved: '#2e7d32', 'too-few-rows': '#8d6e63', 'no-change': '#546e7a' };

/** The plotted range: every interval, zero and the gate's limits, padded and cut to whole steps. */
function axisOf(metrics: readonly MetricComparison[], limits: readonly number[]): { from: number; to: number; step: number } {
  const values = [0, ...limits, ...metrics.flatMap((m) => [m.ci.low, m.ci.high])];
  const low = Math.min(...values), high = Math.max(...values);
  const span = Math.max(0.02, high - low);
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((candidate) => span / candidate <= 8) ?? 0.5;
  return { from: Math.max(-1, Math.floor((low - span * 0.05) / step) * step), to: Math.min(1, Math.ceil((high + span * 0.05) / step) * step), step };
}

/**
 * Forest plot for one evaluator: a line per group, worst first, the delta with its 95% interval,
 * zero and the gate's limit (−threshold of every drop rule on this evaluator) drawn, the axis
 * scaled to the data so a 2-point drop is visible.
 */
function forestPlot(evaluator: string, metrics: readonly MetricComparison[], limits: readonly number[], failed: ReadonlySet<string>): string {
  const rowHeight = 24, left = 190, width = 460, top = 34, bottom = 34;
  const height = top + metrics.length * rowHeight + bottom;
  const axis = axisOf(metrics, limits);
  const x = (value: number) => left + ((Math.max(axis.from, Math.min(axis.to, value)) - axis.from) / (axis.to - axis.from)) * width;
  const ticks: string[] = [];
  for (let tick = axis.from; tick <= axis.to + 1e-9; tick += axis.step) {
    const at = x(tick);
    ticks.push(`<line x1="${at}" x2="${at}" y1="${top - 6}" y2="${height - bottom + 4}" stroke="#eee"/><text x="${at}" y="${height - bottom + 18}" font-size="11" text-anchor="middle">${points(Math.round(tick * 1000) / 1000)}</text>`);
  }
  const lines = metrics.map((m, i) => {
    const y = top + i * rowHeight + rowHeight / 2;
    const colour = COLOUR[m.verdict];
    const label = failed.has(`${m.group}\u0000${m.evaluator}`) ? `${m.group} ✗ gate` : m.group;
    return `<text x="${left - 10}" y="${y + 4}" text-anchor="end" font-size="12"${failed.has(`${m.group}\u0000${m.evaluator}`) ? ' fill="#c62828" font-weight="bold"' : ''}>${esc(label)} (${m.rows})</text>` +
      `<line x1="${x(m.ci.low)}" x2="${x(m.ci.high)}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="3"/>` +
      `<circle cx="${x(m.delta)}" cy="${y}" r="5" fill="${colour}"><title>${esc(`${m.group}: Δ ${(m.delta * 100).toFixed(1)} pts [${(m.ci.low * 100).toFixed(1)}, ${(m.ci.high * 100).toFixed(1)}], ${m.verdict}`)}</title></circle>`;
  });
  const limitLines = limits.map((limit) =>
    `<line x1="${x(limit)}" x2="${x(limit)}" y1="${top - 8}" y2="${height - bottom + 4}" stroke="#c62828" stroke-dasharray="6 3" stroke-width="1.5"/>` +
    `<text x="${x(limit) + 3}" y="${top - 12}" font-size="11" fill="#c62828">gate ${points(limit)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 30}" height="${height}" role="img" aria-label="deltas for ${esc(evaluator)}">` +
    `<text x="4" y="16" font-size="14" font-weight="bold">${esc(evaluator)}: Δ points (candidate − baseline), 95% CI</text>` +
    ticks.join('') +
    `<line x1="${x(0)}" x2="${x(0)}" y1="${top - 8}" y2="${height - bottom + 4}" stroke="#555" stroke-width="1"/>` +
    limitLines.join('') + lines.join('') +
    `<text x="${left + width / 2}" y="${height - 4}" font-size="11" text-anchor="middle" fill="#555">points of pass rate / mean score</text></svg>`;
}

/** One experiment's score distribution over all rows: 10 bins, counts on the bars, its own title. */
function distributionPanel(title: string, scores: readonly number[], colour: string, most: number): string {
  const counts = new Array<number>(10).fill(0);
  for (const score of scores) counts[Math.min(9, Math.floor(score * 10))]++;
  const barWidth = 26, gap = 6, height = 150, base = height - 30, chartTop = 30;
  const bars = counts.map((count, i) => {
    const x = 30 + i * (barWidth + gap);
    const h = (count / most) * (base - chartTop);
    return `<rect x="${x}" y="${base - h}" width="${barWidth}" height="${h}" fill="${colour}"/>` +
      (count > 0 ? `<text x="${x + barWidth / 2}" y="${base - h - 3}" font-size="10" text-anchor="middle">${count}</text>` : '') +
      `<text x="${x + barWidth / 2}" y="${base + 13}" font-size="9" text-anchor="middle">${(i / 10).toFixed(1)}</text>`;
  });
  const mean = scores.length ? scores.reduce((s, v) => s + v, 0) / scores.length : Number.NaN;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${30 + 10 * (barWidth + gap)}" height="${height}" role="img" aria-label="${esc(title)}">` +
    `<text x="4" y="14" font-size="12" font-weight="bold">${esc(title)}</text><text x="4" y="26" font-size="11">mean ${(mean * 100).toFixed(1)}% over ${scores.length} rows</text>` +
    `<line x1="28" x2="${30 + 10 * (barWidth + gap)}" y1="${base}" y2="${base}" stroke="#999"/>${bars.join('')}` +
    `<text x="${(30 + 10 * (barWidth + gap)) / 2}" y="${height - 2}" font-size="10" text-anchor="middle" fill="#555">score (bin start)</text></svg>`;
}

function panels(metric: MetricComparison, baseline: string, candidate: string): string {
  const most = Math.max(1, ...[metric.baselineScores, metric.candidateScores].flatMap((scores) => {
    const counts = new Array<number>(10).fill(0);
    for (const score of scores) counts[Math.min(9, Math.floor(score * 10))]++;
    return counts;
  }));
  return `<div class="panels">${distributionPanel(`baseline ${baseline}`, metric.baselineScores, '#90a4ae', most)}${distributionPanel(`candidate ${candidate}`, metric.candidateScores, '#1565c0', most)}</div>`;
}

function table(rows: TableRows): string {
  return `<table><thead><tr>${rows.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.rows.map((row) => `<tr class="${row[0] === 'FAIL' ? 'fail' : row[0] === 'INCONCLUSIVE' ? 'unsure' : ''}">${row.map((cell) => `<td>${esc(cell)}</td>`).join('')}</tr>`).join('') + '</tbody></table>';
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff;max-width:1100px}table{border-collapse:collapse;font-size:13px;margin:12px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f5f5f5}tr.fail td{background:#ffebee}tr.unsure td{background:#fff8e1}
.pass{color:#2e7d32;font-weight:bold;font-size:18px}.failhead{color:#c62828;font-weight:bold;font-size:18px}
.chart{margin:20px 0;padding-bottom:12px;border-bottom:1px solid #eee}.panels{display:flex;gap:32px;margin-top:8px}`;

/** A self-contained HTML report: no scripts, no external assets, charts as inline SVG; the worst groups first. */
export function htmlReport(comparison: Comparison, gate?: GateResult): string {
  const { baseline: a, candidate: b } = comparison;
  const ordered = bySeverity(comparison.metrics);
  const evaluators = [...new Set(ordered.map((m) => m.evaluator))];
  const failed = new Set((gate?.failures ?? []).map((check) => `${check.group}\u0000${check.metric}`));
  const charts = evaluators.map((evaluator) => {
    const rows = ordered.filter((m) => m.evaluator === evaluator);
    const limits = [...new Set((gate?.checks ?? []).filter((check) => check.metric === evaluator && Number.isFinite(check.observed)).map((check) => -check.threshold))];
    const overall = rows.find((m) => m.group === '*');
    return `<section class="chart">${forestPlot(evaluator, rows, limits, failed)}${overall ? panels(overall, a.name, b.name) : ''}</section>`;
  });
  const headline = gate ? gateLines(gate).headline.replace(/^GATE (FAILED|PASSED)/, (_all, word: string) => `Gate ${word.toLowerCase()}`) : '';
  const status = gate ? `<p class="${gate.passed ? 'pass' : 'failhead'}">${esc(headline)}</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tracejudge: ${esc(b.name)} vs ${esc(a.name)}</title>
<style>${STYLE}</style></head><body>
<h1>tracejudge comparison</h1>
<p>Baseline <b>${esc(a.name)}</b> vs candidate <b>${esc(b.name)}</b> on dataset <code>${esc(b.datasetName)}@${esc(b.datasetVersion)}</code>, ${comparison.sharedRows} shared rows.
Intervals: Newcombe hybrid score, paired on rows; dashed red line: the gate's limit.</p>
${status}${gate ? table(gateTable(gate, gate.passed ? gate.checks.filter((c) => c.status !== 'pass') : gate.failures)) : ''}
<h2>Deltas by group, worst first</h2>${charts.join('\n')}
<h2>All evaluators</h2>${table(metricTable(comparison))}
</body></html>
`;
}

/** One experiment's scores (`eval` without `--baseline`). */
export function htmlScores(scores: ExperimentScores): string {
  const { experiment: e } = scores;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tracejudge: ${esc(e.name)}</title><style>${STYLE}</style></head><body>
<h1>tracejudge experiment ${esc(e.name)}</h1>
<p>Dataset <code>${esc(e.datasetName)}@${esc(e.datasetVersion)}</code>, ${scores.rows} rows${scores.failedRuns.length ? `, ${scores.failedRuns.length} failed run(s)` : ''}. Intervals: Wilson 95%.</p>
${table(scoresTable(scores))}
</body></html>
`;
}
