import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * Why spans accepted by the forwarder never reached the upstream.
 * - `queue_full`: refused at `enqueue` because the queue was at its bound (the receiver answers
 *   429/503, so an OTLP sender retries them: spec, "OTLP/HTTP Throttling").
 * - `rejected`: the upstream answered a non-retryable status (400, 401, 413, 500…: spec, "Failures").
 * - `retries_exhausted`: still failing when `retry.maxElapsed` ran out.
 * - `shutdown`: offered after `shutdown()` began.
 * - `shutdown_deadline`: still in memory when the shutdown deadline passed and there was no queue
 *   file to keep them in (no `queue.persistPath`, or writing it failed) — accepted spans lost.
 * - `export_error`: the batch could not be serialized or read back.
 */
export type DropReason = 'queue_full' | 'rejected' | 'retries_exhausted' | 'shutdown' | 'shutdown_deadline' | 'export_error';

export const DROP_REASONS: readonly DropReason[] = [
  'queue_full',
  'rejected',
  'retries_exhausted',
  'shutdown',
  'shutdown_deadline',
  'export_error',
];

export interface ForwarderStats {
  /** Spans the upstream accepted (2xx). */
  readonly forwardedSpans: number;
  readonly forwardedBatches: number;
  /** Re-sends of a batch after a failed attempt (one request each, HTTP or gRPC). */
  readonly retried: number;
  /** Spans dropped, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /**
   * Spans taken past the queue bound because they had already been admitted (`enqueue` with
   * `force`: a request that passed the bound check before evaluation and weighs more with its
   * events, or spans a judge hold released at shutdown). Counted: they push memory above
   * `queue.maxSpans` / `maxBytes` by at most what is in flight.
   */
  readonly admittedOverBound: number;
  /** Gauge: spans accepted and not yet forwarded or dropped (open batch, queue, in flight). */
  readonly queuedSpans: number;
  /** Gauge: approximate bytes of those spans (exact serialized size for persisted batches). */
  readonly queuedBytes: number;
  /** Gauge: of the queued batches, how many are on disk. */
  readonly persistedBatches: number;
  readonly inFlight: number;
  /** Bytes written to the upstream for trace requests that got an answer, all attempts, headers included. */
  readonly bytesSent: number;
  readonly logRequests: { readonly forwarded: number; readonly failed: number };
}

export interface LogsForwardResult {
  /** The upstream's final status, or 502 when it could not be reached. */
  readonly status: number;
  /** The upstream's Retry-After when it throttled and we stopped retrying (extra, optional). */
  readonly retryAfterMs?: number;
  /** Why, when the relay itself refused (the sender is told this rather than a bare status). */
  readonly message?: string;
}

export interface EnqueueOptions {
  /**
   * The spans were already admitted: a request the caller checked against the bound before
   * evaluating it (refusing after evaluation would have the sender retry replies already
   * counted as checked), or spans whose sender got 200 and forgot them (a judge hold released
   * at shutdown). Taken even past the queue bound, counted in `admittedOverBound`. The bound is
   * back-pressure on new traffic, checked before any work. Does not bypass the refusal once
   * `shutdown()` began.
   */
  readonly force?: boolean;
}

/**
 * What the OTLP receiver hands decoded batches to (collector mode). `enqueue` never blocks and
 * never throws: `false` means saturated and the caller answers 429/503 so the sender retries.
 */
export interface SpanForwarder {
  enqueue(spans: ReadableSpan[], options?: EnqueueOptions): boolean;
  /** Where logs go upstream; undefined when there is no logs endpoint (logs are then read, not relayed). */
  readonly logsUrl?: string;
  /** POST an OTLP logs request body unchanged to the upstream's logs URL. */
  forwardLogs?(body: Buffer, contentType: string, contentEncoding?: string): Promise<LogsForwardResult>;
  forceFlush(timeoutMs?: number): Promise<void>;
  shutdown(): Promise<void>;
  stats(): ForwarderStats;
}
