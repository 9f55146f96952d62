/**
 * The error rate across the family of checks one gate rule makes (every tag value ×
 * evaluator it covers): with ten tags, ten chances to fail a candidate that changed
 * nothing. Adjusted p-values, the same length and order as the raw ones.
 * - `holm` (default): Holm 1979 step-down, controls the family-wise error rate (any false
 *   failure) under any dependence between the checks.
 * - `bh`: Benjamini–Hochberg 1995 step-up, controls the false discovery rate (the share of
 *   failures that are false); more failures found when many groups really regressed.
 * - `none`: each check at the nominal level on its own.
 */
export type Adjustment = 'holm' | 'bh' | 'none';

export const ADJUSTMENTS: readonly Adjustment[] = ['holm', 'bh', 'none'];

export function adjustPValues(pValues: readonly number[], method: Adjustment): number[] {
  const m = pValues.length;
  if (method === 'none' || m <= 1) return [...pValues];
  const order = Array.from(pValues.keys()).sort((x, y) => pValues[x]! - pValues[y]!);
  const adjusted = new Array<number>(m);
  if (method === 'holm') {
    let running = 0;
    order.forEach((index, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!));
      adjusted[index] = running;
    });
    return adjusted;
  }
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank]!;
    running = Math.min(running, Math.min(1, (m * pValues[index]!) / (rank + 1)));
    adjusted[index] = running;
  }
  return adjusted;
}
