import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { EvaluationTarget, ResultSink } from './result-sink.ts';

export interface WebhookSinkOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Per request, ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, on network errors, 408, 429 and 5xx. Default 3. */
  readonly maxRetries?: number;
  /** First backoff, doubled per retry; a `Retry-After` answer wins (capped at 30 s). Default 500 ms. */
  readonly backoffMs?: number;
  /** Batches waiting to be posted; beyond it new batches are dropped and counted. Default 1000. */
  readonly maxQueued?: number;
}

export interface WebhookSinkStats {
  readonly delivered: number;
  /** Batches dropped: queue full, or still failing after the retries. */
  readonly dropped: number;
  readonly failedAttempts: number;
  readonly queued: number;
}

/** The JSON body of one POST. */
export interface WebhookPayload {
  readonly target: EvaluationTarget;
  readonly results: readonly EvaluationResult[];
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * POSTs each batch of results as JSON (a review tool, Slack relay, ticketing
 * hook). One request at a time from a bounded queue, with a timeout and
 * retries; the telemetry path only enqueues. Drops are counted, never thrown.
 */
export class WebhookSink implements ResultSink {
  readonly #url: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoffMs: number;
  readonly #maxQueued: number;
  readonly #queue: WebhookPayload[] = [];
  #sending: Promise<void> | undefined;
  #delivered = 0;
  #dropped = 0;
  #failedAttempts = 0;

  constructor(options: WebhookSinkOptions) {
    if (typeof options?.url !== 'string' || !URL.canParse(options.url) || !/^https?:$/.test(new URL(options.url).protocol)) {
      throw new TypeError(`WebhookSink: "url" must be an http(s) URL, got ${JSON.stringify(options?.url)}`);
    }
    this.#url = options.url;
    this.#headers = options.headers ?? {};
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#backoffMs = options.backoffMs ?? 500;
    this.#maxQueued = options.maxQueued ?? 1000;
  }

  write(results: readonly EvaluationResult[], target: EvaluationTarget): void {
    if (results.length === 0) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.#dropped++;
      return;
    }
    this.#queue.push({ target, results });
    this.#sending ??= this.#drain();
  }

  /** Resolves when the queue is empty (every batch delivered or dropped). */
  async flush(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  stats(): WebhookSinkStats {
    return { delivered: this.#delivered, dropped: this.#dropped, failedAttempts: this.#failedAttempts, queued: this.#queue.length };
  }

  async #drain(): Promise<void> {
    try {
      for (let payload = this.#queue.shift(); payload; payload = this.#queue.shift()) {
        if (await this.#post(payload)) this.#delivered++;
        else this.#dropped++;
      }
    } finally {
      this.#sending = undefined;
    }
  }

  async #post(payload: WebhookPayload): Promise<boolean> {
    const body = JSON.stringify(payload);
    for (let attempt = 0; ; attempt++) {
      let waitMs = this.#backoffMs * 2 ** attempt;
      try {
        const response = await fetch(this.#url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.#headers },
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        this.#failedAttempts++;
        if (!RETRYABLE.has(response.status)) return false;
        const retryAfter = Number.parseFloat(response.headers.get('retry-after') ?? '');
        if (Number.isFinite(retryAfter) && retryAfter >= 0) waitMs = Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
      } catch {
        this.#failedAttempts++;
      }
      if (attempt >= this.#maxRetries) return false;
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
    }
  }
}
