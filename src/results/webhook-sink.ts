import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { EvaluationTarget, ResultSink } from './result-sink.ts';

/** What masks a batch's text: a `PiiMasker` fits (structural, so results/ imports nothing of privacy/). */
export interface BatchMasker {
  session(): { mask(text: string): string; maskValue(value: unknown): unknown };
}

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
  /** Time one batch may take over all its attempts and waits; then it is dropped (counted). Default 30 s. */
  readonly maxElapsedMs?: number;
  /** How long `flush` waits for the queue by default before it gives the rest up (counted). Default 10 s. */
  readonly flushTimeoutMs?: number;
  /**
   * Masks personal data in what is posted (the conversation snapshot, explanations, result details)
   * with one numbering per batch. The online stage passes the `privacy` section's masker.
   */
  readonly masker?: BatchMasker;
}

export interface WebhookSinkStats {
  readonly delivered: number;
  /** Batches dropped: queue full, still failing after the retries or `maxElapsedMs`, refused redirects, past the flush deadline. */
  readonly dropped: number;
  /** Of those, answered with a redirect (3xx): never followed, so the body and its headers go to the configured URL only. */
  readonly redirectsRefused: number;
  /** Of those, given up when a flush reached its deadline. */
  readonly droppedAtDeadline: number;
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

/** Thrown into a wait or a request when a flush's deadline passes. */
class FlushDeadline extends Error {}

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
  readonly #maxElapsedMs: number;
  readonly #flushTimeoutMs: number;
  readonly #masker: BatchMasker | undefined;
  readonly #queue: WebhookPayload[] = [];
  #sending: Promise<void> | undefined;
  /** Aborted when a flush's deadline passes: the request in flight and any wait end at once. */
  #giveUp = new AbortController();
  #delivered = 0;
  #dropped = 0;
  #failedAttempts = 0;
  #redirectsRefused = 0;
  #droppedAtDeadline = 0;

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
    this.#maxElapsedMs = options.maxElapsedMs ?? 30_000;
    this.#flushTimeoutMs = options.flushTimeoutMs ?? 10_000;
    this.#masker = options.masker;
  }

  write(results: readonly EvaluationResult[], target: EvaluationTarget): void {
    if (results.length === 0) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.#dropped++;
      return;
    }
    this.#queue.push(this.#masker ? maskedPayload(this.#masker, target, results) : { target, results });
    this.#sending ??= this.#drain();
  }

  /**
   * Resolves when the queue is empty (every batch delivered or dropped), or at the deadline: then the
   * request in flight is aborted and what is left is dropped and counted — an endpoint that never
   * answers cannot hold a shutdown.
   */
  async flush(timeoutMs = this.#flushTimeoutMs): Promise<void> {
    if (!this.#sending) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), timeoutMs);
      timer.unref();
    });
    try {
      while (this.#sending) {
        if ((await Promise.race([this.#sending.then(() => 'done' as const), deadline])) === 'deadline') {
          const left = this.#queue.length;
          this.#queue.length = 0;
          this.#dropped += left;
          this.#droppedAtDeadline += left;
          this.#giveUp.abort(new FlushDeadline());
          await this.#sending;
          this.#giveUp = new AbortController();
          return;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  stats(): WebhookSinkStats {
    return {
      delivered: this.#delivered,
      dropped: this.#dropped,
      redirectsRefused: this.#redirectsRefused,
      droppedAtDeadline: this.#droppedAtDeadline,
      failedAttempts: this.#failedAttempts,
      queued: this.#queue.length,
    };
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
    const started = Date.now();
    const giveUp = this.#giveUp.signal;
    for (let attempt = 0; ; attempt++) {
      let waitMs = this.#backoffMs * 2 ** attempt;
      try {
        const response = await fetch(this.#url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.#headers },
          body,
          // A redirect would re-post the body, custom (secret) headers included, to wherever it points.
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), giveUp]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        this.#failedAttempts++;
        if (response.status >= 300 && response.status < 400) {
          this.#redirectsRefused++;
          return false;
        }
        if (!RETRYABLE.has(response.status)) return false;
        const retryAfter = Number.parseFloat(response.headers.get('retry-after') ?? '');
        if (Number.isFinite(retryAfter) && retryAfter >= 0) waitMs = Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
      } catch {
        this.#failedAttempts++;
      }
      if (giveUp.aborted) {
        this.#droppedAtDeadline++;
        return false;
      }
      if (attempt >= this.#maxRetries || Date.now() - started + waitMs > this.#maxElapsedMs) return false;
      const waited = await sleep(waitMs, giveUp);
      if (!waited) {
        this.#droppedAtDeadline++;
        return false;
      }
    }
  }
}

/** Resolves true after `ms`, false at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The batch as posted: every text it carries masked with one numbering (a value keeps its placeholder across them). */
function maskedPayload(masker: BatchMasker, target: EvaluationTarget, results: readonly EvaluationResult[]): WebhookPayload {
  const session = masker.session();
  const conversation = target.conversation;
  const maskedTarget: EvaluationTarget = {
    ...target,
    ...(conversation && {
      conversation: {
        ...conversation,
        userMessages: conversation.userMessages.map((text) => session.mask(text)),
        transcript: conversation.transcript.map((line) => ({ role: line.role, text: session.mask(line.text) })),
      },
    }),
  };
  const maskedResults = results.map((result) => ({
    ...result,
    ...(result.explanation !== undefined && { explanation: session.mask(result.explanation) }),
    ...(result.details !== undefined && { details: session.maskValue(result.details) as EvaluationResult['details'] }),
  }));
  return { target: maskedTarget, results: maskedResults };
}
