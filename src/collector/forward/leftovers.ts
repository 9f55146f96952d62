import type { DiagLogger } from '@opentelemetry/api';
import type { ForwarderTelemetry } from './metrics.ts';
import type { EncodedBatch } from './senders.ts';
import type { PersistentQueue } from './persistent-queue.ts';

/**
 * Spans still only in memory when the forwarder's shutdown deadline passed (the upstream did not
 * take them in time; batches that never reached the queue file). They were accepted — their
 * sender got 200 and forgot them — so with a queue file they are written there as one more batch,
 * sent first at the next start (at least once: an in-flight batch the upstream did receive is
 * sent again). Without one, or when the write fails, they are lost: counted as
 * `shutdown_deadline` and told once, as an error, with what would have kept them.
 */
export class ShutdownLeftovers {
  private readonly store: PersistentQueue | undefined;
  private readonly logger: DiagLogger;
  private readonly telemetry: ForwarderTelemetry;
  /** Spans / batches written to the queue file at the deadline. */
  keptSpans = 0;
  keptBatches = 0;
  lostSpans = 0;
  private writeFailed = false;

  constructor(store: PersistentQueue | undefined, logger: DiagLogger, telemetry: ForwarderTelemetry) {
    this.store = store;
    this.logger = logger;
    this.telemetry = telemetry;
  }

  take(batch: EncodedBatch, spanCount: number): void {
    if (spanCount === 0) return;
    if (this.store) {
      try {
        this.store.append(batch.body, spanCount, batch.contentType, Date.now());
        this.keptSpans += spanCount;
        this.keptBatches++;
        return;
      } catch (error) {
        this.writeFailed = true;
        this.logger.error(`could not write ${spanCount} unsent spans to ${this.store.path} at shutdown`, error);
      }
    }
    this.lostSpans += spanCount;
    this.telemetry.drop('shutdown_deadline', spanCount);
  }

  /** Once, after every batch is settled. */
  report(timeoutMs: number): void {
    if (this.keptSpans > 0) {
      // Warn level, so it is seen by default: spans wait on disk for the next start.
      this.logger.warn(`${this.keptSpans} unsent spans written to ${this.store?.path} at the ${timeoutMs} ms shutdown deadline; they are sent at the next start`);
    }
    if (this.lostSpans === 0) return;
    const why = this.writeFailed
      ? `writing them to ${this.store?.path} failed (see the error above); check that the file and its directory are writable`
      : 'the persistent queue is off (no forward.queue.persistPath; `tracejudge collect` keeps it on unless forward.queue.persist is false or --memory-queue is given): turn it on to keep unsent spans on disk for the next start';
    this.logger.error(`${this.lostSpans} accepted spans were lost at shutdown: the upstream did not take them within the ${timeoutMs} ms shutdown deadline and ${why}`);
  }
}
