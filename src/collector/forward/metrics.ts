import type { BatchObservableResult, DiagLogger, MeterProvider, Observable } from '@opentelemetry/api';
import { DROP_REASONS, type DropReason, type ForwarderStats } from './span-forwarder.ts';

/**
 * The forwarder's counters: plain numbers for `stats()`, the same numbers as OTel instruments on
 * the `tracejudge` meter (observed, so there is one source of truth), and a throttled `diag`
 * report of drops.
 */

export interface ForwarderGauges {
  readonly queuedSpans: number;
  readonly queuedBytes: number;
  readonly persistedBatches: number;
  readonly inFlight: number;
  readonly bytesSent: number;
  /** Unix ms the oldest batch not yet forwarded or dropped was accepted; undefined when none waits. */
  readonly oldestAcceptedAt: number | undefined;
}

export class ForwarderTelemetry {
  forwardedSpans = 0;
  forwardedBatches = 0;
  /** Our own re-sends of a batch. */
  retries = 0;
  logsForwarded = 0;
  logsFailed = 0;
  admittedOverBound = 0;
  private readonly dropped = zeroDrops();
  private readonly unreported = zeroDrops();
  private readonly lastDetail: Partial<Record<DropReason, string>> = {};
  private readonly gauges: () => ForwarderGauges;
  private readonly logger: DiagLogger;
  private readonly reportIntervalMs: number;
  private reportTimer: NodeJS.Timeout | undefined;
  private lastReportAt = -Infinity;
  private readonly unobserve: () => void;

  constructor(options: { meterProvider: MeterProvider; logger: DiagLogger; reportIntervalMs: number; gauges: () => ForwarderGauges }) {
    this.gauges = options.gauges;
    this.logger = options.logger;
    this.reportIntervalMs = options.reportIntervalMs;
    this.unobserve = this.observeWith(options.meterProvider);
  }

  /** `detail` (e.g. the upstream's answer) is kept, the latest per reason, for the next report. */
  drop(reason: DropReason, spans: number, detail?: string): void {
    if (spans <= 0) return;
    this.dropped[reason] += spans;
    this.unreported[reason] += spans;
    if (detail) this.lastDetail[reason] = detail;
    // At most one warning per interval: the first drop is told at once, later ones summed up.
    const sinceLast = Date.now() - this.lastReportAt;
    if (sinceLast >= this.reportIntervalMs) this.reportDrops();
    else if (!this.reportTimer) {
      this.reportTimer = setTimeout(() => this.reportDrops(), this.reportIntervalMs - sinceLast);
      this.reportTimer.unref();
    }
  }

  /** Tells the drops not yet told, if any (also at shutdown). */
  reportDrops(): void {
    clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    const parts = DROP_REASONS.filter((reason) => this.unreported[reason] > 0).map((reason) => {
      const detail = this.lastDetail[reason];
      return `${reason}=${this.unreported[reason]}${detail ? ` (last: ${detail})` : ''}`;
    });
    if (parts.length === 0) return;
    const total = DROP_REASONS.reduce((sum, reason) => sum + this.unreported[reason], 0);
    this.logger.warn(`forwarder dropped ${total} spans (${parts.join(', ')}); totals since start: ${JSON.stringify(this.dropped)}`);
    for (const reason of DROP_REASONS) {
      this.unreported[reason] = 0;
      delete this.lastDetail[reason];
    }
    this.lastReportAt = Date.now();
  }

  stats(): ForwarderStats {
    const gauges = this.gauges();
    return {
      forwardedSpans: this.forwardedSpans,
      forwardedBatches: this.forwardedBatches,
      retried: this.retries,
      dropped: { ...this.dropped },
      admittedOverBound: this.admittedOverBound,
      queuedSpans: gauges.queuedSpans,
      queuedBytes: gauges.queuedBytes,
      persistedBatches: gauges.persistedBatches,
      inFlight: gauges.inFlight,
      bytesSent: gauges.bytesSent,
      logRequests: { forwarded: this.logsForwarded, failed: this.logsFailed },
    };
  }

  close(): void {
    this.reportDrops();
    this.unobserve();
  }

  private observeWith(meterProvider: MeterProvider): () => void {
    const meter = meterProvider.getMeter('tracejudge');
    const forwarded = meter.createObservableCounter('tracejudge.forwarder.spans.forwarded', { unit: '{span}', description: 'Spans the upstream accepted' });
    // error.type carries the reason, as semconv's otel.sdk.processor.span.processed does (`queue_full`…).
    const dropped = meter.createObservableCounter('tracejudge.forwarder.spans.dropped', { unit: '{span}', description: 'Spans never forwarded, by reason' });
    const retried = meter.createObservableCounter('tracejudge.forwarder.requests.retried', { unit: '{request}', description: 'Export requests re-sent' });
    const sent = meter.createObservableCounter('tracejudge.forwarder.bytes.sent', { unit: 'By', description: 'Bytes written to the upstream' });
    const queued = meter.createObservableGauge('tracejudge.forwarder.queue.spans', { unit: '{span}', description: 'Spans accepted and not yet forwarded' });
    const queuedBytes = meter.createObservableGauge('tracejudge.forwarder.queue.bytes', { unit: 'By', description: 'Approximate bytes of queued spans' });
    const age = meter.createObservableGauge('tracejudge.forwarder.queue.age', {
      unit: 's',
      description: 'Age of the oldest batch accepted and not yet forwarded (0 when none waits): how far behind the upstream is',
    });
    const observables: Observable[] = [forwarded, dropped, retried, sent, queued, queuedBytes, age];
    const callback = (result: BatchObservableResult) => {
      const stats = this.stats();
      result.observe(forwarded, stats.forwardedSpans);
      for (const reason of DROP_REASONS) result.observe(dropped, stats.dropped[reason], { 'error.type': reason });
      result.observe(retried, stats.retried);
      result.observe(sent, stats.bytesSent);
      result.observe(queued, stats.queuedSpans);
      result.observe(queuedBytes, stats.queuedBytes);
      const oldest = this.gauges().oldestAcceptedAt;
      result.observe(age, oldest === undefined ? 0 : Math.max(0, Date.now() - oldest) / 1000);
    };
    meter.addBatchObservableCallback(callback, observables);
    return () => meter.removeBatchObservableCallback(callback, observables);
  }
}

function zeroDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>;
}
