import { estimatedJaccard, MinHasher } from './minhash.ts';

export interface LiveInput {
  /** Every user turn of the conversation, in order. */
  readonly turns: readonly string[];
  readonly cohort: Readonly<Record<string, string>>;
}

export interface CoverageReport {
  /** Live conversations in the window, each counted once. */
  readonly total: number;
  readonly covered: number;
  readonly share: number;
  /** Of `total`, conversations whose store record kept no user text (counted uncovered). */
  readonly withoutText: number;
  /** Per `key=value` of the cohort attributes (a conversation counts in each of its pairs). */
  readonly byCohort: readonly { cohort: string; total: number; covered: number; share: number }[];
  /** Uncovered conversations grouped by near-duplicates (of their topical turns), largest first. */
  readonly uncoveredClusters: readonly { size: number; examples: readonly string[] }[];
}

export interface CoverageOptions {
  /** Estimated Jaccard similarity at or above which two turns are near neighbours. Default 0.5. */
  readonly threshold?: number;
  readonly topClusters?: number;
  readonly examplesPerCluster?: number;
  readonly hasher?: MinHasher;
}

/** Turns of fewer words than this ("Hello!", "thanks, bye") say nothing of what a conversation is about. */
const MIN_TOPICAL_WORDS = 3;

/**
 * The turns that say what a conversation is about: its user turns of three words or more, or
 * all of them when none is that long. A golden set whose rows open with "Hello!" would
 * otherwise cover (or miss) everything on the greeting.
 */
export function topicalTurns(turns: readonly string[]): readonly string[] {
  const topical = turns.filter((text) => (text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu)?.length ?? 0) >= MIN_TOPICAL_WORDS);
  return topical.length > 0 ? topical : turns.filter((text) => text.trim() !== '');
}

/**
 * What share of recent live conversations has a near neighbour in the dataset: a conversation
 * is covered when one of its topical user turns has a near neighbour among the topical user
 * turns of the dataset's rows (every turn of both sides is compared, not only the first).
 * Linear scan over signatures: datasets are thousands of rows, not millions (an LSH band index
 * is the next step if that changes).
 */
export function coverage(live: readonly LiveInput[], datasetInputs: readonly (string | readonly string[])[], options: CoverageOptions = {}): CoverageReport {
  const threshold = options.threshold ?? 0.5;
  const hasher = options.hasher ?? new MinHasher(128);
  const reference = datasetInputs.flatMap((input) => topicalTurns(typeof input === 'string' ? [input] : input)).map((text) => hasher.signature(text));
  const liveTurns = live.map((input) => topicalTurns(input.turns));
  const signatures = liveTurns.map((turns) => turns.map((text) => hasher.signature(text)));
  const coveredFlags = signatures.map((turns) => turns.some((signature) => reference.some((other) => estimatedJaccard(signature, other) >= threshold)));

  const cohorts = new Map<string, { total: number; covered: number }>();
  live.forEach((input, index) => {
    for (const [key, value] of Object.entries(input.cohort)) {
      const entry = cohorts.get(`${key}=${value}`) ?? { total: 0, covered: 0 };
      entry.total++;
      if (coveredFlags[index]) entry.covered++;
      cohorts.set(`${key}=${value}`, entry);
    }
  });

  // Greedy leader clustering of the uncovered conversations at the same threshold, on their first topical turn.
  const clusters: { leader: Uint32Array; members: string[] }[] = [];
  live.forEach((_input, index) => {
    const leaderTurn = signatures[index]![0];
    if (coveredFlags[index] || leaderTurn === undefined) return;
    const text = liveTurns[index]![0]!;
    const home = clusters.find((cluster) => estimatedJaccard(cluster.leader, leaderTurn) >= threshold);
    if (home) home.members.push(text);
    else clusters.push({ leader: leaderTurn, members: [text] });
  });
  clusters.sort((a, b) => b.members.length - a.members.length);

  const covered = coveredFlags.filter(Boolean).length;
  return {
    total: live.length,
    covered,
    share: live.length === 0 ? 1 : covered / live.length,
    withoutText: liveTurns.filter((turns) => turns.length === 0).length,
    byCohort: [...cohorts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cohort, { total, covered: hit }]) => ({ cohort, total, covered: hit, share: hit / total })),
    uncoveredClusters: clusters.slice(0, options.topClusters ?? 5).map((cluster) => ({ size: cluster.members.length, examples: cluster.members.slice(0, options.examplesPerCluster ?? 3) })),
  };
}
