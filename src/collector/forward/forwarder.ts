import { diag, metrics, type DiagLogger, type MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForwardConfig } from '../../config/forward.ts';
import { ForwarderTelemetry } from './metrics.ts';
import { SpanBatcher, type SpanBatch } from './batcher.ts';
import { deliver, type DeliveryContext, type DeliveryOutcome } from './delivery.ts';
import { FlushTracker } from './flush.ts';
import { ShutdownLeftovers } from './leftovers.ts';
import { encodeBatch, type EncodedBatch, type SendResult } from './senders.ts';
import { approximateSpanBytes } from './span-size.ts';
import { Upstream } from './upstream.ts';
import { PersistentQueue } from './persistent-queue.ts';
import { RetryQueue, type QueuedBatch } from './retry-queue.ts';
import type { EnqueueOptions, ForwarderStats, LogsForwardResult, SpanForwarder } from './span-forwarder.ts';

export interface ForwarderOptions {
  /** Where the forwarder's metrics go; the global provider (at construction) by default. */
  readonly meterProvider?: MeterProvider;
  /** Where warnings go; `diag` by default. */
  readonly logger?: DiagLogger;
  /** At most one drop warning per this interval (default 10 s). */
  readonly dropReportIntervalMs?: number;
  readonly flushTimeoutMs?: number;
  readonly shutdownTimeoutMs?: number;
  /** Jitter source, [0, 1). */
  readonly random?: () => number;
  /** How a batch becomes its request body; {@link encodeBatch} by default (benchmarks compare others). */
  readonly encode?: typeof encodeBatch;
}

type Payload = { readonly seq: number } & (
  | { readonly kind: 'encoded'; readonly batch: EncodedBatch; readonly spanCount: number }
  | { readonly kind: 'persisted'; readonly id: number }
);
type Batch = QueuedBatch<Payload>;

/**
 * Collector mode's way out: coalesces enqueued spans into batches (`batch.maxSpans`, at most
 * `batch.maxDelay` old), keeps them in a bounded queue (optionally on disk), and exports with at
 * most `batch.maxInFlight` requests at once; each request holds its batch through its retries
 * (the Collector's sending-queue model), so while the upstream is down the queue fills and
 * `enqueue` pushes back instead of memory growing. Construction throws on an unusable queue file.
 */
export class OtlpForwarder implements SpanForwarder {
  private readonly config: ForwardConfig;
  private readonly logger: DiagLogger;
  private readonly random: () => number;
  private readonly encode: typeof encodeBatch;
  private readonly flushTimeoutMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly store: PersistentQueue | undefined;
  private readonly queue: RetryQueue<Payload>;
  private readonly upstream: Upstream;
  private readonly telemetry: ForwarderTelemetry;
  private readonly deliveryContext: DeliveryContext;
  private readonly stopping = new AbortController();
  private readonly workers = new Set<Promise<void>>();
  private readonly flushes = new FlushTracker();
  private readonly batcher: SpanBatcher;
  private readonly leftovers: ShutdownLeftovers;
  private openTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private persisted = 0;
  private leftOnDisk = 0;
  private accepting = true;
  private closing: Promise<void> | undefined;

  constructor(config: ForwardConfig, options: ForwarderOptions = {}) {
    this.store = config.queue.persistPath ? new PersistentQueue(config.queue.persistPath) : undefined;
    this.config = config;
    this.logger = options.logger ?? diag.createComponentLogger({ namespace: 'tracejudge/forwarder' });
    this.random = options.random ?? Math.random;
    this.encode = options.encode ?? encodeBatch;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 30_000;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
    this.queue = new RetryQueue(config.queue);
    this.batcher = new SpanBatcher(config.batch.maxSpans);
    const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
    this.upstream = new Upstream(config, this.store, this.random);
    this.telemetry = new ForwarderTelemetry({
      meterProvider,
      logger: this.logger,
      reportIntervalMs: options.dropReportIntervalMs ?? 10_000,
      gauges: () => ({
        queuedSpans: this.queue.heldSpans,
        queuedBytes: this.queue.heldBytes,
        persistedBatches: this.persisted,
        inFlight: this.inFlight,
        bytesSent: this.upstream.bytesSent,
        oldestAcceptedAt: this.flushes.oldestAcceptedAt(),
      }),
    });
    this.leftovers = new ShutdownLeftovers(this.store, this.logger, this.telemetry);
    this.deliveryContext = {
      policy: config.retry,
      signal: this.stopping.signal,
      random: this.random,
      logger: this.logger,
      onRetry: () => this.telemetry.retries++,
    };
    // Batches a previous run accepted are held whatever the bounds: they are never refused.
    for (const batch of this.store?.pending() ?? []) {
      this.queue.hold(batch.spanCount, batch.bytes);
      this.persisted++;
      this.queue.push({ spanCount: batch.spanCount, bytes: batch.bytes, payload: this.track({ kind: 'persisted', id: batch.id }, batch.createdAtMs) });
    }
    this.pump();
  }

  enqueue(spans: ReadableSpan[], options: EnqueueOptions = {}): boolean {
    try {
      if (spans.length === 0) return true;
      if (!this.accepting) {
        this.telemetry.drop('shutdown', spans.length);
        return false;
      }
      let bytes = 0;
      for (const span of spans) bytes += approximateSpanBytes(span);
      if (options.force) {
        // Already accepted (released from a judge hold at shutdown): never refused for the bound.
        if (!this.queue.admit(spans.length, bytes)) {
          this.queue.hold(spans.length, bytes);
          this.telemetry.admittedOverBound += spans.length;
        }
      } else if (!this.queue.admit(spans.length, bytes)) {
        this.telemetry.drop('queue_full', spans.length);
        return false;
      }
      for (const batch of this.batcher.add(spans, bytes)) this.seal(batch);
      if (this.batcher.size > 0 && !this.openTimer) this.openTimer = setTimeout(() => this.sealOpen(), this.config.batch.maxDelay);
      this.pump();
      return true;
    } catch (error) {
      this.logger.error('enqueue failed; answering as saturated', error);
      return false;
    }
  }

  get logsUrl(): string | undefined {
    return this.upstream.logs.url;
  }

  forwardLogs(body: Buffer, contentType: string, contentEncoding?: string): Promise<LogsForwardResult> {
    if (!this.accepting) return Promise.resolve({ status: 503 });
    return this.upstream.logs.forward(body, contentType, contentEncoding, this.stopping.signal).then(
      (result) => {
        if (result.status >= 200 && result.status < 300) this.telemetry.logsForwarded++;
        else this.telemetry.logsFailed++;
        return result;
      },
      () => {
        this.telemetry.logsFailed++;
        return { status: 502 };
      },
    );
  }

  /** Sends everything enqueued so far; resolves when it is forwarded or dropped, or at the deadline. */
  async forceFlush(timeoutMs = this.flushTimeoutMs): Promise<void> {
    this.sealOpen();
    if (!(await this.flushes.waitForAll(timeoutMs))) {
      this.logger.warn(`flush deadline of ${timeoutMs} ms passed with ${this.queue.heldSpans} spans still queued`);
    }
  }

  /**
   * Stops accepting and waits for the upstream until the deadline, then stops: batches on disk
   * stay there for the next start, and spans only in memory are written to the queue file too;
   * without one they are lost, counted (`shutdown_deadline`) and logged as an error.
   */
  shutdown(timeoutMs = this.shutdownTimeoutMs): Promise<void> {
    this.closing ??= this.close(timeoutMs);
    return this.closing;
  }

  stats(): ForwarderStats {
    return this.telemetry.stats();
  }

  private async close(timeoutMs: number): Promise<void> {
    this.accepting = false;
    await this.forceFlush(timeoutMs);
    this.stopping.abort();
    await Promise.allSettled([...this.workers]);
    for (const batch of this.queue.takeAll()) this.settle(batch, { outcome: 'abandoned' });
    this.leftovers.report(timeoutMs);
    const onDisk = this.leftOnDisk + this.leftovers.keptBatches;
    if (this.store && onDisk > 0) this.logger.warn(`${onDisk} batches stay in ${this.store.path} for the next start`);
    this.upstream.close();
    this.telemetry.close();
    this.store?.close();
  }

  private track<P extends Omit<Payload, 'seq'>>(payload: P, acceptedAtMs?: number): P & { seq: number } {
    return { ...payload, seq: this.flushes.open(acceptedAtMs) };
  }

  private sealOpen(): void {
    clearTimeout(this.openTimer);
    this.openTimer = undefined;
    const partial = this.batcher.drain();
    if (partial) this.seal(partial);
    this.pump();
  }

  /**
   * A full batch is encoded once, into its request body: the spans (and the requests they were
   * decoded from) are released, and every attempt sends the same bytes. With a queue file the body
   * goes to disk and memory keeps its id.
   */
  private seal({ spans, bytes }: SpanBatch): void {
    let batch: EncodedBatch;
    try {
      batch = this.encode(spans, this.config.protocol);
    } catch (error) {
      this.queue.release(spans.length, bytes);
      this.telemetry.drop('export_error', spans.length, (error as Error).message);
      return;
    }
    this.queue.resize(bytes, batch.body.byteLength);
    if (this.store) {
      try {
        const id = this.store.append(batch.body, spans.length, batch.contentType, Date.now());
        this.persisted++;
        this.queue.push({ spanCount: spans.length, bytes: batch.body.byteLength, payload: this.track({ kind: 'persisted', id }) });
        return;
      } catch (error) {
        this.logger.error(`could not write a batch of ${spans.length} spans to ${this.store.path}; it is kept in memory only`, error);
      }
    }
    this.queue.push({ spanCount: spans.length, bytes: batch.body.byteLength, payload: this.track({ kind: 'encoded', batch, spanCount: spans.length }) });
  }

  private pump(): void {
    while (!this.stopping.signal.aborted && this.inFlight < this.config.batch.maxInFlight) {
      const batch = this.queue.shift();
      if (!batch) return;
      this.inFlight++;
      const worker: Promise<void> = deliver(() => this.sendOnce(batch.payload), this.deliveryContext)
        .then((result) => this.settle(batch, result))
        .finally(() => {
          this.inFlight--;
          this.workers.delete(worker);
          this.pump();
        });
      this.workers.add(worker);
    }
  }

  private sendOnce(payload: Payload): Promise<SendResult> {
    return payload.kind === 'encoded' ? this.upstream.send(payload.batch, this.stopping.signal) : this.upstream.sendPersisted(payload.id, this.stopping.signal);
  }

  private settle(batch: Batch, result: DeliveryOutcome): void {
    const { payload, spanCount } = batch;
    this.queue.release(spanCount, batch.bytes);
    if (payload.kind === 'persisted') {
      this.persisted--;
      // Abandoned at shutdown: the row stays for the next start. Otherwise its fate is final.
      if (result.outcome === 'abandoned') this.leftOnDisk++;
      else this.forget(payload.id);
    }
    if (result.outcome === 'forwarded') {
      this.telemetry.forwardedSpans += spanCount;
      this.telemetry.forwardedBatches++;
    } else if (result.outcome === 'abandoned') {
      if (payload.kind === 'encoded') this.leftovers.take(payload.batch, payload.spanCount);
    } else {
      this.telemetry.drop(result.outcome, spanCount, result.detail);
    }
    this.flushes.settle(payload.seq);
  }

  private forget(id: number): void {
    try {
      this.store?.delete(id);
    } catch (error) {
      this.logger.error(`could not delete batch ${id} from ${this.store?.path}; it will be sent again on the next start`, error);
    }
  }
}
