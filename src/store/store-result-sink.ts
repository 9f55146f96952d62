import { StoreError } from './store-error.ts';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { ConversationSnapshot, EvaluationTarget, ResultSink } from '../results/result-sink.ts';
import { insertConversations, validateRecord } from './conversation-rows.ts';
import type { ConversationRecord, StoredScore } from './records.ts';
import { insertReviewItems } from './review-rows.ts';
import type { TracejudgeStore } from './store.ts';

/** What the sink knows of a conversation beyond the target ids: `EvaluationTarget.conversation`, or the `context` lookup. */
export type ConversationContext = ConversationSnapshot;

/** @deprecated `EvaluationTarget` carries `conversation` itself now. */
export type StoreTarget = EvaluationTarget;

/** Structural, so the store imports nothing of src/privacy (DESIGN.md layout); pass a `PiiMasker`. */
export interface ConversationMasker {
  maskConversation(texts: readonly string[]): string[];
}

export interface StoreResultSinkOptions {
  /** Required: nothing reaches the store unmasked. */
  readonly masker: ConversationMasker;
  /**
   * The front door's record of a conversation, looked up when the batch is written
   * (`flushDelayMs` later, off the span path), so a check result whose turn span had
   * not ended yet still finds that turn, e.g. in the online stage's buffer. Asked first:
   * it knows the sampling stratum and weight; a target's own `conversation` (the
   * inline pipeline's view of a failed reply) is used when it has nothing.
   */
  readonly context?: (target: EvaluationTarget) => ConversationContext | undefined;
  /**
   * Store results that all passed too, and replies with nothing to check (default true): drift
   * then sees a cohort's scores drop without a judge, and coverage sees all traffic, not only
   * failures. False: judged replies and failed checks only.
   */
  readonly keepPassing?: boolean;
  /** Route into the review queue: results scored below this, and every `fail` label. Unset: no routing. */
  readonly reviewBelow?: number;
  /** Results waiting for the next batch; beyond it results are dropped and counted. Default 1000. */
  readonly maxBuffered?: number;
  /** How long results wait to be batched. Default 200 ms. */
  readonly flushDelayMs?: number;
  /** Unix ms clock. */
  readonly now?: () => number;
  /** Told about a batch that could not be written (locked, corrupt, full disk); never thrown. */
  readonly onError?: (error: unknown, lost: number) => void;
  /** A write met a locked or full database and will be tried again (first time, then every 100th): nothing was lost. */
  readonly onRetry?: (error: unknown, retries: number) => void;
}

interface Pending {
  readonly results: readonly EvaluationResult[];
  readonly target: EvaluationTarget;
  readonly recordedAt: number;
}

export interface StoreSinkStats {
  readonly buffered: number;
  readonly written: number;
  readonly dropped: number;
  readonly failedBatches: number;
  readonly lostToErrors: number;
  /** Writes that met a locked (another writer) or full database and were tried again later. */
  readonly retries: number;
  /** Records waiting for such a retry now (masked, counted in the buffer bound). */
  readonly waitingForRetry: number;
}

/** A locked database is tried again after this, doubling to the cap, while the batch waits (bounded). */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;

/** Judged replies, and replies that failed a check: what is kept when passing results are not (`keepPassing: false`). */
export function worthStoring(results: readonly EvaluationResult[]): boolean {
  return results.some((result) => result.source !== 'deterministic' || result.label === 'fail' || result.error !== undefined);
}

/**
 * ResultSink that writes to the store off the span path: `write` only copies
 * into a bounded buffer (never blocks, never throws); a timer writes the
 * buffer in one transaction. Full buffer → the new results are dropped and
 * counted (DESIGN.md: memory is bounded everywhere, what is shed is counted).
 */
export class StoreResultSink implements ResultSink {
  readonly #store: TracejudgeStore;
  readonly #options: StoreResultSinkOptions;
  readonly #maxBuffered: number;
  #buffer: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #written = 0;
  #dropped = 0;
  #failedBatches = 0;
  #lostToErrors = 0;
  /** Records already masked whose write met a locked or full database: written first at the next try. */
  #retry: ConversationRecord[] = [];
  #retryMs = FIRST_RETRY_MS;
  #retries = 0;

  constructor(store: TracejudgeStore, options: StoreResultSinkOptions) {
    this.#store = store;
    this.#options = options;
    this.#maxBuffered = options.maxBuffered ?? 1000;
  }

  /** Copies a reference into the buffer: masking and the context lookup happen at flush, off the span path. */
  write(results: readonly EvaluationResult[], target: EvaluationTarget): void {
    try {
      // A reply with nothing to check (no commitment) is stored too when passing ones are: coverage and drift see all traffic.
      if (this.#options.keepPassing === false && !worthStoring(results)) return;
      if (this.#buffer.length + this.#retry.length >= this.#maxBuffered) {
        this.#dropped++;
        return;
      }
      // When it happened (the evaluated span's end), not when it was written: drift over a window is then testable.
      const recordedAt = target.spanEndedAt !== undefined && Number.isFinite(target.spanEndedAt) ? target.spanEndedAt : (this.#options.now?.() ?? Date.now());
      this.#buffer.push({ results, target, recordedAt });
      this.#timer ??= setTimeout(() => this.flush(), this.#options.flushDelayMs ?? 200);
      this.#timer.unref?.();
    } catch (error) {
      this.#lostToErrors++;
      this.#options.onError?.(error, 1);
    }
  }

  /** Writes what is buffered now (also on shutdown). Never throws. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#buffer;
    if (pending.length === 0 && this.#retry.length === 0) return;
    this.#buffer = [];
    const batch: ConversationRecord[] = this.#retry;
    this.#retry = [];
    for (const entry of pending) {
      try {
        batch.push(this.#record(entry));
      } catch (error) {
        // One malformed target (no span id, a score out of range) loses itself, not the batch.
        this.#lostToErrors++;
        this.#options.onError?.(error, 1);
      }
    }
    if (batch.length === 0) return;
    const now = this.#options.now?.() ?? Date.now();
    const below = this.#options.reviewBelow;
    try {
      this.#store.transaction('writing results', () => {
        const rows = insertConversations(this.#store, batch, now);
        if (below === undefined) return;
        const entries = batch.flatMap((record, index) =>
          record.scores
            .filter((score) => score.label === 'fail' || (score.score !== undefined && score.score < below))
            .map((score) => ({
              conversation: { ...record, row: rows[index]!, stratum: record.stratum ?? 'unsampled', weight: record.weight ?? 1, cohort: record.cohort ?? {} },
              score,
              reason: score.label === 'fail' && score.source === 'deterministic' ? 'check failed' : `below ${below}`,
            })),
        );
        insertReviewItems(this.#store, entries, now);
      });
      this.#written += batch.length;
      this.#retryMs = FIRST_RETRY_MS;
    } catch (error) {
      if (retryable(error)) {
        // The store never waits for a lock on the host's event loop (busy timeout 0): the batch waits
        // here instead, and is tried again later, with what comes meanwhile.
        this.#retries++;
        this.#retry = batch;
        this.#timer = setTimeout(() => this.flush(), this.#retryMs);
        this.#timer.unref?.();
        this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
        if (this.#retries === 1 || this.#retries % 100 === 0) this.#options.onRetry?.(error, this.#retries);
        return;
      }
      this.#failedBatches++;
      this.#lostToErrors += batch.length;
      this.#options.onError?.(error, batch.length);
    }
  }

  stats(): StoreSinkStats {
    return {
      buffered: this.#buffer.length,
      written: this.#written,
      dropped: this.#dropped,
      failedBatches: this.#failedBatches,
      lostToErrors: this.#lostToErrors,
      retries: this.#retries,
      waitingForRetry: this.#retry.length,
    };
  }

  #record({ results, target, recordedAt }: Pending): ConversationRecord {
    // A target that carries the sampling facts (the judge's, taken at delivery) is the record;
    // else the front door's own record of the conversation (it knows stratum and weight), looked
    // up now; else what the evaluated span itself showed.
    const own = target.conversation;
    const context = own?.stratum !== undefined ? own : (this.#options.context?.(target) ?? own);
    const users = context?.userMessages ?? [];
    const lines = context?.transcript ?? [];
    const explanations = results.map((result) => result.explanation ?? '');
    // One masking call per conversation: the same value keeps one placeholder across messages and explanations.
    const masked = this.#options.masker.maskConversation([...users, ...lines.map((line) => line.text), ...explanations]);
    const scores: StoredScore[] = results.map((result, index) => ({
      name: result.name,
      ...(result.score !== undefined ? { score: result.score } : {}),
      ...(result.label !== undefined ? { label: result.label } : {}),
      ...(result.explanation ? { explanation: masked[users.length + lines.length + index]! } : {}),
      source: result.source,
      ...(result.error ? { errorType: result.error.type } : {}),
      ...(result.details ? { details: result.details } : {}),
    }));
    const record: ConversationRecord = {
      conversationId: target.conversationId,
      traceId: target.traceId,
      spanId: target.spanId,
      ...(target.responseId ? { responseId: target.responseId } : {}),
      recordedAt,
      ...(context?.stratum !== undefined ? { stratum: context.stratum } : {}),
      ...(context?.weight !== undefined ? { weight: context.weight } : {}),
      ...(context?.cohort ? { cohort: context.cohort } : {}),
      userMessages: masked.slice(0, users.length),
      transcript: lines.map((line, index) => ({ role: line.role, text: masked[users.length + index]! })),
      scores,
    };
    validateRecord(record, 0);
    return record;
  }
}

/** Locked by another writer, or the disk full: worth another try later, never a wait now. */
function retryable(error: unknown): boolean {
  if (error instanceof StoreError && error.kind === 'locked') return true;
  const cause = error instanceof Error ? (error.cause as { errcode?: number } | undefined) : undefined;
  return cause?.errcode === 13 || /database or disk is full|SQLITE_FULL/i.test(error instanceof Error ? error.message : String(error));
}
