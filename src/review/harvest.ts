import { insertReviewItems, listConversations } from '../store/index.ts';
import type { StoredConversation, StoredScore, TracejudgeStore } from '../store/index.ts';

export interface HarvestOptions {
  /** How many of the weakest (conversation, evaluation) pairs to queue. */
  readonly lowest: number;
  /** Unix ms: only conversations recorded since. */
  readonly since: number;
  readonly evaluation?: string;
  readonly stratum?: string;
  /** The dataset these items are meant for and its version now (checked again on apply). */
  readonly dataset?: string;
  readonly datasetVersion?: string;
  readonly now: number;
}

/** A failed evaluation without a score ranks as 0: it is among the weakest. */
export function rankScore(score: StoredScore): number {
  if (score.score !== undefined) return score.score;
  return score.label === 'fail' ? 0 : 1;
}

/** The weakest scored replies, lowest first; errors of the evaluation itself are not the agent's fault and are skipped. */
export function weakest(conversations: readonly StoredConversation[], options: Pick<HarvestOptions, 'lowest' | 'evaluation'>): { conversation: StoredConversation; score: StoredScore }[] {
  const candidates = conversations.flatMap((conversation) =>
    conversation.scores
      .filter((score) => score.errorType === undefined && (options.evaluation === undefined || score.name === options.evaluation))
      .filter((score) => score.source !== 'human')
      .map((score) => ({ conversation, score })),
  );
  candidates.sort((a, b) => rankScore(a.score) - rankScore(b.score) || a.conversation.recordedAt - b.conversation.recordedAt);
  return candidates.slice(0, options.lowest);
}

/** Moves the weakest recent conversations into the review queue; returns how many were newly queued. */
export function harvestLowest(store: TracejudgeStore, options: HarvestOptions): { considered: number; queued: number } {
  if (!Number.isInteger(options.lowest) || options.lowest <= 0) throw new RangeError(`--lowest expects a positive integer, got ${options.lowest}`);
  const recent = listConversations(store, {
    since: options.since,
    ...(options.stratum !== undefined ? { stratum: options.stratum } : {}),
    ...(options.evaluation !== undefined ? { evaluation: options.evaluation } : {}),
  });
  const picked = weakest(recent, options);
  const queued = store.transaction('harvesting', () =>
    insertReviewItems(
      store,
      picked.map(({ conversation, score }) => ({
        conversation,
        score,
        reason: `harvest lowest ${options.lowest}`,
        ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
        ...(options.datasetVersion !== undefined ? { datasetVersion: options.datasetVersion } : {}),
      })),
      options.now,
    ),
  );
  return { considered: picked.length, queued };
}
