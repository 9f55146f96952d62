import type { ConversationRecord, StoredConversation, StoredScore } from './records.ts';
import { StoreError } from './store-error.ts';
import type { TracejudgeStore } from './store.ts';

export interface ConversationQuery {
  /** Unix ms, inclusive. */
  readonly since?: number;
  /** Unix ms, exclusive. */
  readonly until?: number;
  readonly stratum?: string;
  /** Only conversations with a score of this evaluation. */
  readonly evaluation?: string;
}

/**
 * Writes a batch in one transaction, then prunes past the retention limits in
 * batches (at most `pruneBatch` rows per limit per write). A record already
 * stored for the same span gains the new scores. Returns the row ids.
 * @throws StoreError — and then nothing of the batch was written.
 */
export function recordConversations(store: TracejudgeStore, records: readonly ConversationRecord[], now: number): number[] {
  records.forEach(validateRecord);
  return store.transaction('recording conversations', () => insertConversations(store, records, now));
}

/** The insert and prune, for callers already inside a transaction (records validated). */
export function insertConversations(store: TracejudgeStore, records: readonly ConversationRecord[], now: number): number[] {
  const db = store.db;
  {
    const upsert = db.prepare(
      `INSERT INTO conversations (conversation_id, trace_id, span_id, response_id, recorded_at, stratum, weight, cohort, user_messages, transcript)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id, span_id) DO UPDATE SET
         -- The fuller record of the conversation wins: a later result may come with less of it.
         transcript = CASE WHEN json_array_length(excluded.transcript) >= json_array_length(transcript) THEN excluded.transcript ELSE transcript END,
         user_messages = CASE WHEN json_array_length(excluded.user_messages) >= json_array_length(user_messages) THEN excluded.user_messages ELSE user_messages END,
         -- A check result may land before the judge's on the same span: the judged write knows the sampling facts.
         stratum = CASE WHEN excluded.stratum <> 'unsampled' THEN excluded.stratum ELSE stratum END,
         weight = CASE WHEN excluded.stratum <> 'unsampled' THEN excluded.weight ELSE weight END,
         cohort = CASE WHEN excluded.cohort <> '{}' THEN excluded.cohort ELSE cohort END
       RETURNING id`,
    );
    const score = db.prepare(
      `INSERT INTO scores (conversation_row, name, score, label, explanation, source, error_type, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (conversation_row, name, source) DO UPDATE SET score = excluded.score, label = excluded.label, explanation = excluded.explanation,
         error_type = excluded.error_type, details = excluded.details`,
    );
    const rows: number[] = [];
    for (const record of records) {
      const { id } = upsert.get(
        record.conversationId, record.traceId, record.spanId, record.responseId ?? null, record.recordedAt, record.stratum ?? 'unsampled',
        record.weight ?? 1, JSON.stringify(record.cohort ?? {}), JSON.stringify(record.userMessages), JSON.stringify(record.transcript),
      ) as { id: number };
      for (const s of record.scores) {
        score.run(id, s.name, s.score ?? null, s.label ?? null, s.explanation ?? null, s.source, s.errorType ?? null, s.details ? JSON.stringify(s.details) : null);
      }
      rows.push(id);
    }
    prune(store, now);
    return rows;
  }
}

/** Retention, in batches: age first, then the oldest beyond `maxRows`. Scores go with their conversation (ON DELETE CASCADE). */
function prune(store: TracejudgeStore, now: number): void {
  const { maxAgeMs, maxRows, pruneBatch } = store.retention;
  const db = store.db;
  db.prepare('DELETE FROM conversations WHERE id IN (SELECT id FROM conversations WHERE recorded_at < ? ORDER BY recorded_at LIMIT ?)').run(now - maxAgeMs, pruneBatch);
  const { count } = db.prepare('SELECT count(*) AS count FROM conversations').get() as { count: number };
  const excess = Math.min(count - maxRows, pruneBatch);
  if (excess > 0) db.prepare('DELETE FROM conversations WHERE id IN (SELECT id FROM conversations ORDER BY recorded_at, id LIMIT ?)').run(excess);
}

export function countConversations(store: TracejudgeStore): number {
  return (store.db.prepare('SELECT count(*) AS count FROM conversations').get() as { count: number }).count;
}

/** Conversations with their scores, oldest first. */
export function listConversations(store: TracejudgeStore, query: ConversationQuery = {}): StoredConversation[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (query.since !== undefined) where.push('c.recorded_at >= ?') && params.push(query.since);
  if (query.until !== undefined) where.push('c.recorded_at < ?') && params.push(query.until);
  if (query.stratum !== undefined) where.push('c.stratum = ?') && params.push(query.stratum);
  if (query.evaluation !== undefined) where.push('EXISTS (SELECT 1 FROM scores e WHERE e.conversation_row = c.id AND e.name = ?)') && params.push(query.evaluation);
  const rows = store.db
    .prepare(`SELECT c.* FROM conversations c ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.recorded_at, c.id`)
    .all(...params) as Record<string, any>[];
  const scoresOf = store.db.prepare('SELECT * FROM scores WHERE conversation_row = ? ORDER BY id');
  return rows.map((row) => ({
    row: row.id,
    conversationId: row.conversation_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    ...(row.response_id ? { responseId: row.response_id } : {}),
    recordedAt: row.recorded_at,
    stratum: row.stratum,
    weight: row.weight,
    cohort: JSON.parse(row.cohort),
    userMessages: JSON.parse(row.user_messages),
    transcript: JSON.parse(row.transcript),
    scores: (scoresOf.all(row.id) as Record<string, any>[]).map(scoreOf),
  }));
}

function scoreOf(row: Record<string, any>): StoredScore {
  return {
    name: row.name,
    ...(row.score !== null ? { score: row.score } : {}),
    ...(row.label !== null ? { label: row.label } : {}),
    ...(row.explanation !== null ? { explanation: row.explanation } : {}),
    source: row.source,
    ...(row.error_type !== null ? { errorType: row.error_type } : {}),
    ...(row.details !== null ? { details: JSON.parse(row.details) } : {}),
  };
}

export function validateRecord(record: ConversationRecord, index: number): void {
  const bad = (field: string, value: unknown) => new StoreError('input', `conversations[${index}].${field}: invalid value ${JSON.stringify(value)}`);
  for (const field of ['conversationId', 'traceId', 'spanId'] as const) {
    if (typeof record[field] !== 'string' || !record[field]) throw bad(field, record[field]);
  }
  if (!Number.isFinite(record.recordedAt)) throw bad('recordedAt', record.recordedAt);
  if (record.weight !== undefined && !(record.weight > 0 && Number.isFinite(record.weight))) throw bad('weight', record.weight);
  if (!Array.isArray(record.userMessages)) throw bad('userMessages', record.userMessages);
  record.scores.forEach((score, at) => {
    if (score.score !== undefined && !(score.score >= 0 && score.score <= 1)) throw bad(`scores[${at}].score`, score.score);
  });
}
