import { estimatedJaccard, MinHasher } from './minhash.ts';

export interface LiveInput {
  readonly text: string;
  readonly cohort: Readonly<Record<string, string>>;
}

export interface CoverageReport {
  readonly total: number;
  readonly covered: number;
  readonly share: number;
  /** Per `key=value` of the cohort attributes (an input counts in each of its pairs). */
  readonly byCohort: readonly { cohort: string; total: number; covered: number; share: number }[];
  /** Uncovered inputs grouped by near-duplicates, largest first. */
  readonly uncoveredClusters: readonly { size: number; examples: readonly string[] }[];
}

export interface CoverageOptions {
  /** Estimated Jaccard similarity at or above which a dataset input is a near neighbour. Default 0.5. */
  readonly threshold?: number;
  readonly topClusters?: number;
  readonly examplesPerCluster?: number;
  readonly hasher?: MinHasher;
}

/**
 * What share of recent live first-turn inputs has a near neighbour in the
 * dataset. Linear scan over signatures: datasets are thousands of rows, not
 * millions (an LSH band index is the next step if that changes).
 */
export function coverage(live: readonly LiveInput[], datasetInputs: readonly string[], options: CoverageOptions = {}): CoverageReport {
  const threshold = options.threshold ?? 0.5;
  const hasher = options.hasher ?? new MinHasher(128);
  const reference = datasetInputs.map((text) => hasher.signature(text));
  const signatures = live.map((input) => hasher.signature(input.text));
  const coveredFlags = signatures.map((signature) => reference.some((other) => estimatedJaccard(signature, other) >= threshold));

  const cohorts = new Map<string, { total: number; covered: number }>();
  live.forEach((input, index) => {
    for (const [key, value] of Object.entries(input.cohort)) {
      const entry = cohorts.get(`${key}=${value}`) ?? { total: 0, covered: 0 };
      entry.total++;
      if (coveredFlags[index]) entry.covered++;
      cohorts.set(`${key}=${value}`, entry);
    }
  });

  // Greedy leader clustering of the uncovered inputs at the same threshold.
  const clusters: { leader: Uint32Array; members: string[] }[] = [];
  live.forEach((input, index) => {
    if (coveredFlags[index]) return;
    const home = clusters.find((cluster) => estimatedJaccard(cluster.leader, signatures[index]!) >= threshold);
    if (home) home.members.push(input.text);
    else clusters.push({ leader: signatures[index]!, members: [input.text] });
  });
  clusters.sort((a, b) => b.members.length - a.members.length);

  const covered = coveredFlags.filter(Boolean).length;
  return {
    total: live.length,
    covered,
    share: live.length === 0 ? 1 : covered / live.length,
    byCohort: [...cohorts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cohort, { total, covered: hit }]) => ({ cohort, total, covered: hit, share: hit / total })),
    uncoveredClusters: clusters.slice(0, options.topClusters ?? 5).map((cluster) => ({ size: cluster.members.length, examples: cluster.members.slice(0, options.examplesPerCluster ?? 3) })),
  };
}
