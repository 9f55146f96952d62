import type { Comparison, GateResult } from '../compare/index.ts';
import { htmlReport } from './html-report.ts';
import { jsonReport } from './json-report.ts';
import { markdownReport } from './markdown-report.ts';
import { textReport } from './text-report.ts';

export { htmlReport, jsonReport, markdownReport, textReport };
export type ReportFormat = 'text' | 'md' | 'json' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'md', 'json', 'html'];

export function renderReport(format: ReportFormat, comparison: Comparison, gate?: GateResult): string {
  if (format === 'md') return markdownReport(comparison, gate);
  if (format === 'json') return jsonReport(comparison, gate);
  if (format === 'html') return htmlReport(comparison, gate);
  return textReport(comparison, gate);
}
