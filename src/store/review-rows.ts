import type { StoredConversation, StoredScore, TranscriptLine } from './records.ts';
import { StoreError } from './store-error.ts';
import type { TracejudgeStore } from './store.ts';

export type ReviewStatus = 'pending' | 'confirmed' | 'rejected' | 'relabelled';

/** A queued conversation: a copy of what the reviewer needs, so retention of conversations leaves it whole. */
export interface ReviewItem {
  readonly id: number;
  readonly conversationId: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly evaluation: string;
  readonly score?: number;
  readonly label?: string;
  readonly explanation?: string;
  readonly source: string;
  /** The evaluation's machine-readable facts (e.g. `ungrounded_values` of a commitment check). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly stratum: string;
  readonly weight: number;
  readonly cohort: Readonly<Record<string, string>>;
  readonly userMessages: readonly string[];
  readonly transcript: readonly TranscriptLine[];
  readonly recordedAt: number;
  readonly queuedAt: number;
  /** Why it was queued: `below 0.5`, `check failed`, `harvest lowest 50`. */
  readonly reason: string;
  readonly status: ReviewStatus;
  readonly humanLabel?: string;
  readonly note?: string;
  readonly decidedAt?: number;
  /** The dataset and its content hash as read when the item was queued for it (optimistic concurrency). */
  readonly dataset?: string;
  readonly datasetVersion?: string;
  readonly appliedAt?: number;
}

export interface ReviewQuery {
  readonly status?: ReviewStatus | 'decided';
  readonly evaluation?: string;
  readonly stratum?: string;
  /** `key=value` on the cohort attributes. */
  readonly cohort?: { readonly key: string; readonly value: string };
  readonly since?: number;
  readonly until?: number;
  readonly applied?: boolean;
  readonly limit?: number;
}

export interface ReviewDecision {
  readonly status: Exclude<ReviewStatus, 'pending'>;
  readonly humanLabel?: string;
  readonly note?: string;
}

/** Queues one item per (span, evaluation); an item already queued is left as it is. Returns how many were new. */
export function queueForReview(
  store: TracejudgeStore,
  entries: readonly { conversation: StoredConversation | Omit<StoredConversation, 'row'>; score: StoredScore; reason: string; dataset?: string; datasetVersion?: string }[],
  now: number,
): number {
  if (entries.length === 0) return 0;
  return store.transaction('queueing for review', () => insertReviewItems(store, entries, now));
}

/** The insert itself, for callers already inside a transaction. */
export function insertReviewItems(
  store: TracejudgeStore,
  entries: readonly { conversation: Omit<StoredConversation, 'row'>; score: StoredScore; reason: string; dataset?: string; datasetVersion?: string }[],
  now: number,
): number {
  const insert = store.db.prepare(
    `INSERT INTO review_items (conversation_id, trace_id, span_id, evaluation, score, label, explanation, source, details, stratum, weight, cohort,
       user_messages, transcript, recorded_at, queued_at, reason, dataset, dataset_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  let added = 0;
  for (const { conversation: c, score: s, reason, dataset, datasetVersion } of entries) {
    const result = insert.run(
      c.conversationId, c.traceId, c.spanId, s.name, s.score ?? null, s.label ?? null, s.explanation ?? null, s.source, s.details ? JSON.stringify(s.details) : null, c.stratum, c.weight,
      JSON.stringify(c.cohort), JSON.stringify(c.userMessages), JSON.stringify(c.transcript), c.recordedAt, now, reason, dataset ?? null, datasetVersion ?? null,
    );
    added += Number(result.changes);
  }
  if (added > 0) pruneReviewItems(store, now);
  return added;
}

/**
 * Retention of the review queue, as of conversations (`store.retention`): each item is a whole
 * transcript copy, so a flood of failing traffic must not grow it without bound. Pending items past
 * `maxAge` or beyond `maxRows` go first, oldest first; items a human decided go by age only. In
 * batches of `pruneBatch` per write, so a write never stalls on a backlog.
 */
function pruneReviewItems(store: TracejudgeStore, now: number): void {
  const { maxAgeMs, maxRows, pruneBatch } = store.retention;
  const db = store.db;
  db.prepare(`DELETE FROM review_items WHERE id IN (SELECT id FROM review_items WHERE status = 'pending' AND queued_at < ? ORDER BY queued_at LIMIT ?)`).run(now - maxAgeMs, pruneBatch);
  db.prepare(`DELETE FROM review_items WHERE id IN (SELECT id FROM review_items WHERE status <> 'pending' AND decided_at < ? ORDER BY decided_at LIMIT ?)`).run(now - maxAgeMs, pruneBatch);
  const { count } = db.prepare(`SELECT count(*) AS count FROM review_items WHERE status = 'pending'`).get() as { count: number };
  const excess = Math.min(count - maxRows, pruneBatch);
  if (excess > 0) {
    db.prepare(`DELETE FROM review_items WHERE id IN (SELECT id FROM review_items WHERE status = 'pending' ORDER BY queued_at, id LIMIT ?)`).run(excess);
  }
}

/** Lowest score first (failed evaluations without a score count as 0). */
export function listReviewItems(store: TracejudgeStore, query: ReviewQuery = {}): ReviewItem[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number)[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (query.status === 'decided') add(`status <> 'pending'`);
  else if (query.status) add('status = ?', query.status);
  if (query.evaluation) add('evaluation = ?', query.evaluation);
  if (query.stratum) add('stratum = ?', query.stratum);
  if (query.cohort) add('json_extract(cohort, ?) = ?', `$."${query.cohort.key.replaceAll('"', '')}"`, query.cohort.value);
  if (query.since !== undefined) add('recorded_at >= ?', query.since);
  if (query.until !== undefined) add('recorded_at < ?', query.until);
  if (query.applied !== undefined) add(query.applied ? 'applied_at IS NOT NULL' : 'applied_at IS NULL');
  const sql = `SELECT * FROM review_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY coalesce(score, 0), recorded_at, id ${query.limit ? `LIMIT ${Math.floor(query.limit)}` : ''}`;
  return (store.db.prepare(sql).all(...params) as Record<string, any>[]).map(itemOf);
}

export function reviewItem(store: TracejudgeStore, id: number): ReviewItem {
  const row = store.db.prepare('SELECT * FROM review_items WHERE id = ?').get(id) as Record<string, any> | undefined;
  if (!row) throw new StoreError('input', `review item ${id} does not exist`);
  return itemOf(row);
}

/** Records a reviewer's decision (a later decision replaces an earlier one until the item is applied to a dataset). */
export function decideReviewItem(store: TracejudgeStore, id: number, decision: ReviewDecision, now: number): ReviewItem {
  return decideReviewItems(store, [{ id, decision }], now)[0]!;
}

/** Several decisions in one transaction: an unknown or already applied id records none of them. */
export function decideReviewItems(store: TracejudgeStore, decisions: readonly { id: number; decision: ReviewDecision }[], now: number): ReviewItem[] {
  const ids = decisions.map((entry) => entry.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw new StoreError('input', `review item ${repeated} is given more than one decision`);
  return store.transaction(`deciding review item(s) ${ids.join(', ')}`, () =>
    decisions.map(({ id, decision }) => {
      const item = reviewItem(store, id);
      if (item.appliedAt !== undefined) throw new StoreError('input', `review item ${id} was already added to dataset ${item.dataset}; its decision is final`);
      store.db
        .prepare('UPDATE review_items SET status = ?, human_label = ?, note = ?, decided_at = ? WHERE id = ?')
        .run(decision.status, decision.humanLabel ?? null, decision.note ?? null, now, id);
      return reviewItem(store, id);
    }),
  );
}

export function markApplied(store: TracejudgeStore, ids: readonly number[], dataset: string, datasetVersion: string, now: number): void {
  const update = store.db.prepare('UPDATE review_items SET applied_at = ?, dataset = ?, dataset_version = ? WHERE id = ?');
  for (const id of ids) update.run(now, dataset, datasetVersion, id);
}

function itemOf(row: Record<string, any>): ReviewItem {
  const optional = <T>(key: string, value: T | null) => (value === null ? {} : { [key]: value });
  return {
    id: row.id,
    conversationId: row.conversation_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    evaluation: row.evaluation,
    ...optional('score', row.score),
    ...optional('label', row.label),
    ...optional('explanation', row.explanation),
    source: row.source,
    ...(row.details ? { details: JSON.parse(row.details) } : {}),
    stratum: row.stratum ?? 'unsampled',
    weight: row.weight,
    cohort: JSON.parse(row.cohort),
    userMessages: JSON.parse(row.user_messages),
    transcript: JSON.parse(row.transcript),
    recordedAt: row.recorded_at,
    queuedAt: row.queued_at,
    reason: row.reason,
    status: row.status,
    ...optional('humanLabel', row.human_label),
    ...optional('note', row.note),
    ...optional('decidedAt', row.decided_at),
    ...optional('dataset', row.dataset),
    ...optional('datasetVersion', row.dataset_version),
    ...optional('appliedAt', row.applied_at),
  } as ReviewItem;
}
