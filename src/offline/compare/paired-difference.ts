import type { Interval } from './stats.ts';
import { wilson } from './stats.ts';

/**
 * The one interval every score comparison uses: Newcombe's hybrid score interval for the
 * difference of paired proportions (Newcombe 1998, Stat Med 17:2635, method 10 — Wilson
 * intervals of each margin combined with the correlation of the pairs, the correlation
 * shrunk by Newcombe's correction, as Fagerland, Lydersen & Laake 2017 ch. 8 compute it).
 *
 * The unit is the row. A row's score is the mean of its repetitions, so a row whose
 * repetitions disagree (0.67) is one row with a fractional score, not three rows — and the
 * method does not change because one row flickers. Fractional scores (repetition means,
 * judge scales in [0, 1]) enter the same formula as sums: the margins' Wilson intervals
 * take the variance bound p(1 − p) of a [0, 1] value, the correlation its covariance.
 * For 0/1 scores it is exactly method 10; for fractional ones it is conservative (the
 * bound is at least the true variance). It never collapses: with no discordant rows it
 * is still as wide as the margins' uncertainty (±11.4% on 30 rows all passing).
 */
export interface PairedDifference extends Interval {
  /** mean(b) − mean(a). */
  readonly estimate: number;
}

/** Two-sided 95%. */
export const Z95 = 1.959963984540054;

/** The interval for mean(b − a) at normal quantile `z` (1.96: 95% two-sided). */
export function pairedDifference(a: readonly number[], b: readonly number[], z = Z95): PairedDifference {
  const n = Math.min(a.length, b.length);
  if (n === 0) return { estimate: 0, low: -1, high: 1 };
  let sumA = 0, sumB = 0, sumAB = 0;
  for (let i = 0; i < n; i++) {
    sumA += a[i]!;
    sumB += b[i]!;
    sumAB += a[i]! * b[i]!;
  }
  return fromSums(n, sumA, sumB, sumAB, z);
}

/** Counts of a 2×2 paired table: both pass, only A, only B, neither. */
export function pairedDifferenceOfCounts(both: number, onlyA: number, onlyB: number, neither: number, z = Z95): PairedDifference {
  const n = both + onlyA + onlyB + neither;
  if (n === 0) return { estimate: 0, low: -1, high: 1 };
  return fromSums(n, both + onlyA, both + onlyB, both, z);
}

function fromSums(n: number, sumA: number, sumB: number, sumAB: number, z: number): PairedDifference {
  const pA = sumA / n, pB = sumB / n;
  const a = wilson(sumA, n, z), b = wilson(sumB, n, z);
  // For 0/1 scores cross = both·neither − onlyA·onlyB and margins = (both+onlyA)(onlyB+neither)(both+onlyB)(onlyA+neither).
  const cross = n * sumAB - sumA * sumB;
  const margins = sumA * (n - sumA) * sumB * (n - sumB);
  // Newcombe's correction: a positive association is shrunk by n/2 (none below it), a negative one kept.
  const corrected = cross > n / 2 ? cross - n / 2 : cross >= 0 ? 0 : cross;
  const phi = margins <= 0 ? 0 : Math.max(-1, Math.min(1, corrected / Math.sqrt(margins)));
  const estimate = pB - pA;
  const below = Math.sqrt(Math.max(0, (pB - b.low) ** 2 - 2 * phi * (pB - b.low) * (a.high - pA) + (a.high - pA) ** 2));
  const above = Math.sqrt(Math.max(0, (b.high - pB) ** 2 - 2 * phi * (b.high - pB) * (pA - a.low) + (pA - a.low) ** 2));
  return { estimate, low: Math.max(-1, estimate - below), high: Math.min(1, estimate + above) };
}

/**
 * One-sided p-value of "the candidate dropped by more than `threshold`" (H₀: Δ ≥ −threshold),
 * by inverting the interval: the α at which its upper bound (at z = Φ⁻¹(1 − α)) meets
 * −threshold. p < 0.025 exactly when the 95% interval lies below −threshold, so an unadjusted
 * gate and the interval agree. When the estimate is not below −threshold there is no evidence
 * of a drop at all: 1.
 */
export function dropPValue(a: readonly number[], b: readonly number[], threshold: number): number {
  const limit = -threshold;
  if (pairedDifference(a, b, 0).high >= limit) return 1;
  let low = 0, high = 12;
  if (pairedDifference(a, b, high).high < limit) return normalTail(high);
  for (let step = 0; step < 60; step++) {
    const z = (low + high) / 2;
    if (pairedDifference(a, b, z).high < limit) low = z;
    else high = z;
  }
  return normalTail((low + high) / 2);
}

/** P(Z > z) for a standard normal. */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function, |error| < 1.2e-7 (Numerical Recipes' erfcc, Chebyshev fit). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    t *
    Math.exp(
      -x * x - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? y : 2 - y;
}

/**
 * Exact (binomial) McNemar test, two-sided: of the discordant rows, is "only A passed" vs
 * "only B passed" a fair coin? p = min(1, 2 · P(X ≤ min(onlyA, onlyB))), X ~ Bin(onlyA + onlyB, ½).
 */
export function exactMcNemar(onlyA: number, onlyB: number): number {
  const m = onlyA + onlyB;
  if (m === 0) return 1;
  const k = Math.min(onlyA, onlyB);
  // Σ C(m, i) / 2^m for i ≤ k, in log space so m in the thousands does not overflow.
  let logTerm = -m * Math.LN2; // i = 0
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((m - i + 1) / i);
    tail += Math.exp(logTerm);
  }
  return Math.min(1, 2 * tail);
}

/** 95% `pairedDifferenceOfCounts` (the name earlier releases exported). */
export function newcombePairedDifference(both: number, onlyA: number, onlyB: number, neither: number): PairedDifference {
  return pairedDifferenceOfCounts(both, onlyA, onlyB, neither);
}
