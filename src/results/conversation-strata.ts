import type { EvaluationResult } from '../model/evaluation-result.ts';

/** What a check result is recorded with once its conversation's stratum is known. */
export interface StratumContext {
  readonly stratum: string;
  readonly cohort?: Readonly<Record<string, string>>;
}

interface Waiting {
  readonly since: number;
  readonly batches: { results: readonly EvaluationResult[]; cohort: Readonly<Record<string, string>> | undefined }[];
}

export interface ConversationStrataOptions {
  /** Conversations whose stratum is remembered; the oldest are forgotten. */
  readonly maxConversations?: number;
  /** Check results wait at most this long for their turn's decision before they are recorded as `undecided`. */
  readonly maxWaitMs?: number;
  readonly now?: () => number;
}

export const UNDECIDED = 'undecided';

/**
 * Inline checks run on a reply's span as it ends, before the turn's root span ends and the
 * sampler decides the conversation's stratum: their results wait here for that decision (microseconds
 * to a turn's length), so check scores are grouped by the same strata as the judge's. A decision
 * that never comes (no turn span, a key the sampler saw differently) releases them as `undecided`
 * after `maxWaitMs`, and every wait is bounded by count: memory stays bounded, nothing is dropped.
 */
export class ConversationStrata {
  readonly #decided = new Map<string, StratumContext>();
  readonly #waiting = new Map<string, Waiting>();
  readonly #maxConversations: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  readonly #record: (results: readonly EvaluationResult[], context: StratumContext) => void;

  constructor(record: (results: readonly EvaluationResult[], context: StratumContext) => void, options: ConversationStrataOptions = {}) {
    this.#record = record;
    this.#maxConversations = options.maxConversations ?? 50_000;
    this.#maxWaitMs = options.maxWaitMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Check results of one reply: recorded now when the stratum is known, else when it is decided. */
  add(conversationId: string, results: readonly EvaluationResult[], cohort: Readonly<Record<string, string>> | undefined): void {
    const decided = this.#decided.get(conversationId);
    if (decided) {
      this.#record(results, { stratum: decided.stratum, cohort: { ...decided.cohort, ...cohort } });
      return;
    }
    const now = this.#now();
    let waiting = this.#waiting.get(conversationId);
    if (!waiting) {
      if (this.#waiting.size >= this.#maxConversations) this.#releaseOldest();
      this.#waiting.set(conversationId, (waiting = { since: now, batches: [] }));
    }
    waiting.batches.push({ results, cohort });
    this.#releaseExpired(now);
  }

  /** The sampler decided a turn of this conversation: waiting results are recorded in its stratum. */
  decided(conversationId: string, context: StratumContext): void {
    this.#decided.delete(conversationId);
    if (this.#decided.size >= this.#maxConversations) this.#decided.delete(this.#decided.keys().next().value as string);
    this.#decided.set(conversationId, context);
    const waiting = this.#waiting.get(conversationId);
    if (waiting) {
      this.#waiting.delete(conversationId);
      for (const batch of waiting.batches) this.#record(batch.results, { stratum: context.stratum, cohort: { ...context.cohort, ...batch.cohort } });
    }
    this.#releaseExpired(this.#now());
  }

  /** Records everything still waiting as `undecided` (shutdown, or a test's end). */
  releaseAll(): void {
    while (this.#waiting.size > 0) this.#releaseOldest();
  }

  get waitingConversations(): number {
    return this.#waiting.size;
  }

  #releaseExpired(now: number): void {
    for (const [, waiting] of this.#waiting) {
      if (now - waiting.since < this.#maxWaitMs) return;
      this.#releaseOldest();
    }
  }

  #releaseOldest(): void {
    const [conversationId, waiting] = this.#waiting.entries().next().value as [string, Waiting];
    this.#waiting.delete(conversationId);
    for (const batch of waiting.batches) this.#record(batch.results, { stratum: UNDECIDED, ...(batch.cohort && { cohort: batch.cohort }) });
  }
}
