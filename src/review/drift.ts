export interface WeightedScore {
  readonly evaluation: string;
  readonly score: number;
  /** 1 / sampling rate. */
  readonly weight: number;
  readonly recordedAt: number;
  readonly cohort: Readonly<Record<string, string>>;
}

export interface WeightedMean {
  readonly mean: number;
  /** Standard error of the Hájek estimator (linearization). */
  readonly se: number;
  readonly n: number;
  /** Σ weights: the estimated population size. */
  readonly population: number;
}

export interface DriftRow {
  readonly evaluation: string;
  /** `all`, or `key=value` of a cohort attribute. */
  readonly cohort: string;
  readonly previous?: WeightedMean;
  readonly current?: WeightedMean;
  readonly change?: number;
  /** 95% interval of the change. */
  readonly low?: number;
  readonly high?: number;
  /** The whole interval is below zero. */
  readonly dropped: boolean;
}

const Z95 = 1.959964;

/**
 * Hájek estimator of a population mean from a weighted sample,
 * μ̂ = Σwᵢyᵢ / Σwᵢ, with the linearized variance Σwᵢ²(yᵢ − μ̂)² / (Σwᵢ)²
 * (Särndal, Swensson & Wretman, Model Assisted Survey Sampling, §5.7).
 */
export function hajekMean(scores: readonly { score: number; weight: number }[]): WeightedMean | undefined {
  if (scores.length === 0) return undefined;
  let total = 0;
  let weighted = 0;
  for (const { score, weight } of scores) {
    total += weight;
    weighted += weight * score;
  }
  const mean = weighted / total;
  let variance = 0;
  for (const { score, weight } of scores) variance += weight * weight * (score - mean) ** 2;
  return { mean, se: Math.sqrt(variance) / total, n: scores.length, population: total };
}

/** Week over week (the 7 days before `now` against the 7 before those), per evaluation and cohort, reweighted. */
export function weekOverWeek(scores: readonly WeightedScore[], now: number, windowMs = 7 * 86_400_000): DriftRow[] {
  const groups = new Map<string, { evaluation: string; cohort: string; previous: WeightedScore[]; current: WeightedScore[] }>();
  for (const score of scores) {
    const age = now - score.recordedAt;
    if (age < 0 || age >= 2 * windowMs) continue;
    const bucket = age < windowMs ? 'current' : 'previous';
    for (const cohort of ['all', ...Object.entries(score.cohort).map(([key, value]) => `${key}=${value}`)]) {
      const key = `${score.evaluation}\u0000${cohort}`;
      const group = groups.get(key) ?? { evaluation: score.evaluation, cohort, previous: [], current: [] };
      group[bucket].push(score);
      groups.set(key, group);
    }
  }
  return [...groups.values()]
    .sort((a, b) => a.evaluation.localeCompare(b.evaluation) || (a.cohort === 'all' ? -1 : b.cohort === 'all' ? 1 : a.cohort.localeCompare(b.cohort)))
    .map(({ evaluation, cohort, previous, current }) => {
      const before = hajekMean(previous);
      const after = hajekMean(current);
      if (!before || !after) return { evaluation, cohort, ...(before ? { previous: before } : {}), ...(after ? { current: after } : {}), dropped: false };
      const change = after.mean - before.mean;
      const margin = Z95 * Math.sqrt(before.se ** 2 + after.se ** 2);
      return { evaluation, cohort, previous: before, current: after, change, low: change - margin, high: change + margin, dropped: change + margin < 0 };
    });
}
