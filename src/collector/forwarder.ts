import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { diag, metrics, type DiagLogger, type MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForwardConfig } from '../config/forward.ts';
import { ForwarderTelemetry } from './forwarder-metrics.ts';
import { UpstreamObserver } from './forwarder-http-observer.ts';
import { LogsRelay } from './forwarder-logs.ts';
import { createAgent } from './forwarder-post.ts';
import { nextRetryDelay } from './forwarder-retry.ts';
import { ExporterSender, PersistedSender, encodeBatch, type SendResult } from './forwarder-senders.ts';
import { approximateSpanBytes } from './forwarder-span-size.ts';
import { PersistentQueue } from './persistent-queue.ts';
import { RetryQueue, type QueuedBatch } from './retry-queue.ts';
import type { DropReason, ForwarderStats, LogsForwardResult, SpanForwarder } from './span-forwarder.ts';

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
}

type Payload = { readonly seq: number } & ({ readonly kind: 'spans'; readonly spans: ReadableSpan[] } | { readonly kind: 'persisted'; readonly id: number });
type Batch = QueuedBatch<Payload>;
type Outcome = 'forwarded' | 'abandoned' | DropReason;

const ABORTED = Symbol('aborted');

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
  private readonly flushTimeoutMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly store: PersistentQueue | undefined;
  private readonly queue: RetryQueue<Payload>;
  private readonly agents: Agent[];
  private readonly observers: UpstreamObserver[];
  private readonly exporterSender: ExporterSender;
  private readonly persistedSender: PersistedSender | undefined;
  private readonly logs: LogsRelay;
  private readonly telemetry: ForwarderTelemetry;
  private readonly stopping = new AbortController();
  private readonly workers = new Set<Promise<void>>();
  private readonly outstanding = new Set<number>(); // seqs of sealed, unsettled batches, ascending
  private flushWaiters: { upTo: number; done: () => void }[] = [];
  private open: ReadableSpan[] = [];
  private openBytes = 0;
  private openTimer: NodeJS.Timeout | undefined;
  private nextSeq = 0;
  private inFlight = 0;
  private persisted = 0;
  private accepting = true;
  private closing: Promise<void> | undefined;

  constructor(config: ForwardConfig, options: ForwarderOptions = {}) {
    this.store = config.queue.persistPath ? new PersistentQueue(config.queue.persistPath) : undefined;
    this.config = config;
    this.logger = options.logger ?? diag.createComponentLogger({ namespace: 'tracejudge/forwarder' });
    this.random = options.random ?? Math.random;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 30_000;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
    this.queue = new RetryQueue(config.queue);
    const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
    const exporterAgent = createAgent(config.endpoint, config.batch.maxInFlight);
    const postAgent = createAgent(config.endpoint, config.batch.maxInFlight);
    const logsAgent = createAgent(config.logs.endpoint ?? config.endpoint, 4);
    this.agents = [exporterAgent, postAgent, logsAgent];
    const exporterObserver = new UpstreamObserver(exporterAgent, Date.now);
    this.observers = [exporterObserver, new UpstreamObserver(postAgent, Date.now)];
    this.exporterSender = new ExporterSender(config, exporterAgent, exporterObserver, meterProvider, Date.now);
    this.persistedSender = this.store && new PersistedSender(this.store, config, postAgent);
    this.logs = new LogsRelay(config, logsAgent, this.random);
    this.telemetry = new ForwarderTelemetry({
      meterProvider,
      logger: this.logger,
      reportIntervalMs: options.dropReportIntervalMs ?? 10_000,
      gauges: () => ({
        queuedSpans: this.queue.heldSpans,
        queuedBytes: this.queue.heldBytes,
        persistedBatches: this.persisted,
        inFlight: this.inFlight,
        exporterRetries: Math.max(0, exporterObserver.attempts - this.exporterSender.sends),
        bytesSent: this.observers.reduce((sum, observer) => sum + observer.bytesWritten, 0),
      }),
    });
    // Batches a previous run accepted are held whatever the bounds: they are never refused.
    for (const batch of this.store?.pending() ?? []) {
      this.queue.hold(batch.spanCount, batch.bytes);
      this.persisted++;
      this.queue.push({ spanCount: batch.spanCount, bytes: batch.bytes, payload: this.track({ kind: 'persisted', id: batch.id }) });
    }
    this.pump();
  }

  enqueue(spans: ReadableSpan[]): boolean {
    try {
      if (spans.length === 0) return true;
      if (!this.accepting) {
        this.telemetry.drop('shutdown', spans.length);
        return false;
      }
      let bytes = 0;
      for (const span of spans) bytes += approximateSpanBytes(span);
      if (!this.queue.admit(spans.length, bytes)) {
        this.telemetry.drop('queue_full', spans.length);
        return false;
      }
      for (const span of spans) this.open.push(span);
      this.openBytes += bytes;
      while (this.open.length >= this.config.batch.maxSpans) this.seal(this.config.batch.maxSpans);
      if (this.open.length > 0 && !this.openTimer) this.openTimer = setTimeout(() => this.sealOpen(), this.config.batch.maxDelay);
      this.pump();
      return true;
    } catch (error) {
      this.logger.error('enqueue failed; answering as saturated', error);
      return false;
    }
  }

  forwardLogs(body: Buffer, contentType: string, contentEncoding?: string): Promise<LogsForwardResult> {
    if (!this.accepting) return Promise.resolve({ status: 503 });
    return this.logs.forward(body, contentType, contentEncoding, this.stopping.signal).then(
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
    const upTo = this.nextSeq - 1;
    if (!this.pendingUpTo(upTo)) return;
    const done = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.flushWaiters = this.flushWaiters.filter((waiter) => waiter !== entry);
        resolve(false);
      }, timeoutMs);
      const entry = { upTo, done: () => (clearTimeout(timer), resolve(true)) };
      this.flushWaiters.push(entry);
    });
    if (!done) this.logger.warn(`flush deadline of ${timeoutMs} ms passed with ${this.queue.heldSpans} spans still queued`);
  }

  /**
   * Stops accepting, drains until the deadline, then stops: batches on disk stay there for the
   * next start; spans only in memory are counted dropped (`shutdown_deadline`).
   */
  shutdown(timeoutMs = this.shutdownTimeoutMs): Promise<void> {
    this.closing ??= this.close(timeoutMs);
    return this.closing;
  }

  stats(): ForwarderStats {
    return this.telemetry.stats();
  }

  private async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.accepting = false;
    await this.forceFlush(timeoutMs);
    this.stopping.abort();
    await Promise.allSettled([...this.workers]);
    for (const batch of this.queue.takeAll()) this.settle(batch, 'abandoned');
    const remaining = Math.max(0, deadline - Date.now());
    await Promise.race([this.exporterSender.shutdown().catch(() => {}), sleep(remaining, undefined, { ref: false })]);
    this.telemetry.close();
    for (const observer of this.observers) observer.close();
    for (const agent of this.agents) agent.destroy();
    this.store?.close();
  }

  private track<P extends Omit<Payload, 'seq'>>(payload: P): P & { seq: number } {
    const seq = this.nextSeq++;
    this.outstanding.add(seq);
    return { ...payload, seq };
  }

  private sealOpen(): void {
    clearTimeout(this.openTimer);
    this.openTimer = undefined;
    if (this.open.length > 0) this.seal(this.open.length);
    this.pump();
  }

  private seal(count: number): void {
    const spans = this.open.length === count ? this.open : this.open.slice(0, count);
    this.open = this.open.length === count ? [] : this.open.slice(count);
    // Split the estimate in proportion; the last piece takes the rest, so held bytes stay exact.
    const bytes = this.open.length === 0 ? this.openBytes : Math.round((this.openBytes * count) / (count + this.open.length));
    this.openBytes -= bytes;
    this.queue.push(this.persist(spans, bytes));
  }

  /** With a queue file, a sealed batch goes to disk as its request body and memory keeps its id. */
  private persist(spans: ReadableSpan[], bytes: number): Batch {
    if (this.store) {
      try {
        const { body, contentType } = encodeBatch(spans, this.config.protocol);
        const id = this.store.append(body, spans.length, contentType, Date.now());
        this.queue.resize(bytes, body.byteLength);
        this.persisted++;
        return { spanCount: spans.length, bytes: body.byteLength, payload: this.track({ kind: 'persisted', id }) };
      } catch (error) {
        this.logger.error(`could not write a batch of ${spans.length} spans to ${this.store.path}; it is kept in memory only`, error);
      }
    }
    return { spanCount: spans.length, bytes, payload: this.track({ kind: 'spans', spans }) };
  }

  private pump(): void {
    while (!this.stopping.signal.aborted && this.inFlight < this.config.batch.maxInFlight) {
      const batch = this.queue.shift();
      if (!batch) return;
      this.inFlight++;
      const worker: Promise<void> = this.deliver(batch).finally(() => {
        this.inFlight--;
        this.workers.delete(worker);
        this.pump();
      });
      this.workers.add(worker);
    }
  }

  private async deliver(batch: Batch): Promise<void> {
    try {
      const firstAttemptAt = Date.now();
      for (let attempt = 1; ; attempt++) {
        if (attempt > 1) this.telemetry.retries++;
        const result = await this.untilStopped(this.sendOnce(batch.payload));
        if (result === ABORTED) return this.settle(batch, 'abandoned');
        if (result.ok) return this.settle(batch, 'forwarded');
        const { failure } = result;
        // OTLP "Failures": a non-retryable answer is final; the batch is dropped, not re-sent.
        if (!failure.retryable) return this.settle(batch, failure.status === undefined ? 'export_error' : 'rejected', failure.reason);
        const input = { attempt, elapsedMs: Date.now() - firstAttemptAt, retryAfterMs: result.retryAfterMs, random: this.random() };
        const delay = nextRetryDelay(input, this.config.retry);
        if (delay === undefined) return this.settle(batch, 'retries_exhausted', failure.reason);
        this.logger.debug(`export failed (${failure.reason}); retry ${attempt} in ${delay} ms`);
        await sleep(delay, undefined, { signal: this.stopping.signal });
      }
    } catch (error) {
      if (this.stopping.signal.aborted) return this.settle(batch, 'abandoned');
      this.settle(batch, 'export_error', (error as Error).message);
    }
  }

  private sendOnce(payload: Payload): Promise<SendResult> {
    if (payload.kind === 'spans') return this.exporterSender.send(payload.spans);
    return (this.persistedSender as PersistedSender).send(payload.id, this.stopping.signal);
  }

  private untilStopped<T>(work: Promise<T>): Promise<T | typeof ABORTED> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(ABORTED);
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(ABORTED);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private settle(batch: Batch, outcome: Outcome, detail?: string): void {
    const { payload, spanCount } = batch;
    this.queue.release(spanCount, batch.bytes);
    if (payload.kind === 'persisted') {
      this.persisted--;
      // Abandoned at shutdown: the row stays for the next start. Otherwise its fate is final.
      if (outcome !== 'abandoned') this.forget(payload.id);
    }
    if (outcome === 'forwarded') {
      this.telemetry.forwardedSpans += spanCount;
      this.telemetry.forwardedBatches++;
    } else if (outcome !== 'abandoned') {
      this.telemetry.drop(outcome, spanCount, detail);
    } else if (payload.kind === 'spans') {
      this.telemetry.drop('shutdown_deadline', spanCount);
    }
    this.outstanding.delete(payload.seq);
    if (this.flushWaiters.length > 0) {
      const waiting = this.flushWaiters;
      this.flushWaiters = waiting.filter((waiter) => this.pendingUpTo(waiter.upTo));
      for (const waiter of waiting) if (!this.flushWaiters.includes(waiter)) waiter.done();
    }
  }

  private forget(id: number): void {
    try {
      this.store?.delete(id);
    } catch (error) {
      this.logger.error(`could not delete batch ${id} from ${this.store?.path}; it will be sent again on the next start`, error);
    }
  }

  /** Whether a batch sealed at or before `upTo` is unsettled (the set iterates in ascending seq). */
  private pendingUpTo(upTo: number): boolean {
    for (const seq of this.outstanding) return seq <= upTo;
    return false;
  }
}
