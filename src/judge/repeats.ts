/** Spread of repeated judgments of one item (noisy rubrics are judged n times). */
export interface Spread {
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spreadOf: no values');
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  const stddev = values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0;
  return { mean, stddev, min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The most frequent label; a tie goes to the label listed later in the rubric
 * (labels are listed best first), so disagreement never rounds up.
 */
export function majorityLabel(labels: readonly string[], rubricLabels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  let best = labels[0];
  for (const [label, count] of counts) {
    const bestCount = counts.get(best) ?? 0;
    if (count > bestCount || (count === bestCount && rubricLabels.indexOf(label) > rubricLabels.indexOf(best))) best = label;
  }
  return best;
}
