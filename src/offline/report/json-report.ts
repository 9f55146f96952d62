import type { Comparison, ExperimentScores, GateResult } from '../compare/index.ts';

/** Machine-readable report: everything but the per-row score arrays. */
export function jsonReport(comparison: Comparison, gate?: GateResult): string {
  const metrics = comparison.metrics.map(({ baselineScores: _a, candidateScores: _b, ...rest }) => rest);
  return `${JSON.stringify({ ...comparison, metrics, gate }, null, 2)}\n`;
}

export function jsonScores(scores: ExperimentScores): string {
  return `${JSON.stringify(scores, null, 2)}\n`;
}
