import type { Comparison, ExperimentScores, GateResult } from '../compare/index.ts';
import { htmlReport, htmlScores } from './html-report.ts';
import { jsonReport, jsonScores } from './json-report.ts';
import { markdownReport, markdownScores } from './markdown-report.ts';
import { textReport, textScores } from './text-report.ts';
import type { ReportOptions } from './text-report.ts';

export { htmlReport, jsonReport, markdownReport, textReport };
export type { ReportOptions };
export type ReportFormat = 'text' | 'md' | 'json' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'md', 'json', 'html'];

export function renderReport(format: ReportFormat, comparison: Comparison, gate?: GateResult, options: ReportOptions = {}): string {
  if (format === 'md') return markdownReport(comparison, gate, options);
  if (format === 'json') return jsonReport(comparison, gate);
  if (format === 'html') return htmlReport(comparison, gate);
  return textReport(comparison, gate, options);
}

/** One experiment's scores (`eval` without `--baseline`), in each report format. */
export function renderScores(format: ReportFormat, scores: ExperimentScores): string {
  if (format === 'md') return markdownScores(scores);
  if (format === 'json') return jsonScores(scores);
  if (format === 'html') return htmlScores(scores);
  return textScores(scores);
}
