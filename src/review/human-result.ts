import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { ReviewItem } from '../store/index.ts';
import { humanSaysBad } from './agreement.ts';

/**
 * A reviewer's decision as an evaluation result with source `human`, so it can
 * be emitted as `gen_ai.evaluation.result` next to the judge's (with
 * `tracejudge.evaluation.source = human`). Undefined for a pending item.
 */
export function humanResult(item: ReviewItem, below = 0.5): EvaluationResult | undefined {
  const bad = humanSaysBad(item, below);
  if (bad === undefined) return undefined;
  return {
    name: item.evaluation,
    score: bad ? 0 : 1,
    label: item.status === 'relabelled' && item.humanLabel ? item.humanLabel : bad ? 'fail' : 'pass',
    ...(item.note ? { explanation: item.note } : {}),
    source: 'human',
    details: {
      'review.item_id': item.id,
      'review.decision': item.status,
      ...(item.label !== undefined ? { 'review.judge_label': item.label } : {}),
    },
  };
}
