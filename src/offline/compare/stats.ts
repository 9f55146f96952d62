/**
 * Paired statistics for A/B on the same rows. Pure functions: no clock, no
 * global randomness (the bootstrap takes a seed), so a report is reproducible.
 */

export interface Interval {
  readonly low: number;
  readonly high: number;
}

const Z95 = 1.959963984540054;
/** z for 80% power, one-sided. */
const Z80 = 0.8416212335729143;

/** Wilson score interval for a binomial proportion (Newcombe 1998's building block). */
export function wilson(successes: number, n: number, z = Z95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = 2 * n * p + z2;
  const spread = z * Math.sqrt(z2 + 4 * n * p * (1 - p));
  const denominator = 2 * (n + z2);
  return { low: (centre - spread) / denominator, high: (centre + spread) / denominator };
}

/** mulberry32: a small, well-mixed 32-bit PRNG, seeded so the bootstrap is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** Linear-interpolated quantile (type 7, the R / numpy default) of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const fraction = position - below;
  return below + 1 < sorted.length ? sorted[below] + fraction * (sorted[below + 1] - sorted[below]) : sorted[below];
}

/**
 * Smallest true paired difference a two-sided 5% test would detect with 80%
 * power on n rows: (z₀.₉₇₅ + z₀.₈) · s / √n. When the rows show no variation
 * at all (s = 0) one discordant row in n is the least the data could show, so
 * s is floored at √(1/n) — the standard deviation of one ±1 flip in n rows.
 */
export function minimumDetectableDifference(differences: readonly number[]): number {
  const n = differences.length;
  if (n === 0) return Number.POSITIVE_INFINITY;
  const s = Math.max(standardDeviation(differences), Math.sqrt(1 / n));
  return ((Z95 + Z80) * s) / Math.sqrt(n);
}
