import type { ReviewItem } from '../store/index.ts';

export interface RubricAgreement {
  readonly evaluation: string;
  /** Decided items compared. */
  readonly n: number;
  readonly agreementRate: number;
  /** Cohen's kappa on the binary verdict (acceptable / not); undefined when chance agreement is 1 (one class only). */
  readonly kappa?: number;
}

/** The judge's verdict on an item: a `fail` label or a score below the threshold means "not acceptable". */
export function judgeSaysBad(item: ReviewItem, below: number): boolean {
  return item.label === 'fail' || (item.score !== undefined && item.score < below);
}

/** The reviewer's verdict: confirm agrees with the judge, reject disagrees, a relabel says `pass`/`fail` or repeats the judge's label. */
export function humanSaysBad(item: ReviewItem, below: number): boolean | undefined {
  const judge = judgeSaysBad(item, below);
  switch (item.status) {
    case 'confirmed':
      return judge;
    case 'rejected':
      return !judge;
    case 'relabelled':
      if (item.humanLabel === 'fail') return true;
      if (item.humanLabel === 'pass') return false;
      return item.humanLabel === item.label ? judge : !judge;
    default:
      return undefined;
  }
}

/** Agreement between judge and reviewers per evaluation (Cohen 1960: κ = (pₒ − pₑ) / (1 − pₑ)). */
export function agreementByRubric(items: readonly ReviewItem[], below = 0.5): RubricAgreement[] {
  const groups = new Map<string, { judge: boolean; human: boolean }[]>();
  for (const item of items) {
    const human = humanSaysBad(item, below);
    if (human === undefined) continue;
    const pairs = groups.get(item.evaluation) ?? [];
    pairs.push({ judge: judgeSaysBad(item, below), human });
    groups.set(item.evaluation, pairs);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([evaluation, pairs]) => {
      const n = pairs.length;
      const observed = pairs.filter((pair) => pair.judge === pair.human).length / n;
      const judgeBad = pairs.filter((pair) => pair.judge).length / n;
      const humanBad = pairs.filter((pair) => pair.human).length / n;
      const chance = judgeBad * humanBad + (1 - judgeBad) * (1 - humanBad);
      return { evaluation, n, agreementRate: observed, ...(chance < 1 ? { kappa: (observed - chance) / (1 - chance) } : {}) };
    });
}
