import type { AddressInfo } from 'node:net';
import type { MeterProvider } from '@opentelemetry/api';
import { EvaluationPipeline } from '../../processors/index.ts';
import type { EvaluationPipelineOptions, PipelineStats, SpanStage } from '../../processors/index.ts';
import type { DecodedSpan } from './otlp/index.ts';
import { OtlpHttpReceiver } from './receiver.ts';
import { endOrder, startOrder } from './replay-order.ts';
import { dropEarlierInlineResults } from './service-earlier-results.ts';
import { StageDriver } from './service-stages.ts';
import type { ReceiverIntake, ReceiverOptions, ReceiverStats } from './receiver.ts';
import type { ForwarderStats, LogsForwardResult, SpanForwarder } from './span-forwarder.ts';

export interface CollectorServiceOptions {
  readonly forwarder: SpanForwarder;
  readonly pipeline?: EvaluationPipelineOptions;
  readonly receiver?: Partial<ReceiverOptions>;
  /**
   * The forwarder's queue bound in spans (`forward.queue.maxSpans`). Known, the
   * service refuses a batch that would not fit *before* evaluating it: a sender
   * retries a refused batch, and the pipeline checks each reply once per trace,
   * so spans evaluated and then refused would come back without their events.
   */
  readonly forwarderMaxQueuedSpans?: number;
  /**
   * The forwarder's queue bound in bytes (`forward.queue.maxBytes`), checked the same way before
   * evaluation against the request's size. What passes both checks is enqueued whatever it
   * weighs after evaluation (its events added): evaluated spans are never refused.
   */
  readonly forwarderMaxQueuedBytes?: number;
  /** Where the receiver's counters go (the forwarder takes its own at construction). */
  readonly meterProvider?: MeterProvider;
  /**
   * Stages after the inline checks, as the SDK processor takes them: the online stage
   * (`createOnlineStage`: sampling decision on every turn, judge with hold-and-release).
   * Held spans are forwarded when released; stopping shuts the stages down first.
   */
  readonly stages?: readonly SpanStage[];
}

export interface CollectorStats {
  readonly receiver: ReceiverStats;
  readonly pipeline: PipelineStats;
  readonly forwarder: ForwarderStats;
}


/**
 * Collector mode (`tracejudge collect`): the OTLP/HTTP receiver feeds decoded
 * spans through the same EvaluationPipeline the SDK processor uses, then hands
 * them, with their evaluation events, to the forwarder. Deterministic results
 * an SDK processor already put on a span are replaced, not doubled.
 */
export class CollectorService implements ReceiverIntake {
  readonly #pipeline: EvaluationPipeline;
  readonly #forwarder: SpanForwarder;
  readonly #receiver: OtlpHttpReceiver;
  readonly #maxQueuedSpans: number | undefined;
  readonly #maxQueuedBytes: number | undefined;
  readonly #stages: readonly SpanStage[];
  readonly #driver: StageDriver | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: CollectorServiceOptions) {
    this.#pipeline = new EvaluationPipeline(options.pipeline);
    this.#forwarder = options.forwarder;
    this.#maxQueuedSpans = options.forwarderMaxQueuedSpans;
    this.#maxQueuedBytes = options.forwarderMaxQueuedBytes;
    this.#stages = options.stages ?? [];
    this.#driver = this.#stages.length > 0 ? new StageDriver(this.#stages, this.#forwarder, (spans) => !this.#wouldOverflow(spans)) : undefined;
    this.#receiver = new OtlpHttpReceiver(this, {
      ...options.receiver,
      ...(options.meterProvider !== undefined && { meterProvider: options.meterProvider }),
    });
    if (options.forwarder.forwardLogs === undefined) this.forwardLogs = undefined;
  }

  start(): Promise<AddressInfo> {
    return this.#receiver.listen();
  }

  acceptSpans(spans: DecodedSpan[], bodyBytes = 0): { accepted: true } | { accepted: false; status: 429 | 503; message: string } {
    // No check for stopping here: requests already being read when a stop begins are finished.
    if (this.#wouldOverflow(spans.length, bodyBytes)) {
      return { accepted: false, status: 429, message: 'forwarding queue full: the upstream is slower than the senders; retry later' };
    }
    // As an SDK drives a processor: every start first (children meet their parent's
    // conversation), then each span ends (end-time order, children before their parent) and gets its events.
    for (const span of spans) dropEarlierInlineResults(span);
    const started = startOrder(spans);
    const ended = endOrder(spans);
    for (const span of started) this.#pipeline.noteStart(span);
    this.#driver?.begin(started);
    const driver = this.#driver;
    for (const span of ended) {
      if (driver === undefined) {
        this.#pipeline.onEnding(span, span);
        continue;
      }
      // Span by span, the pipeline then the stages, through one writable: the stages reuse its view.
      const writable = driver.writableOf(span);
      this.#pipeline.onEnding(span, writable);
      driver.ending(writable);
    }
    const now = this.#driver ? this.#driver.end(ended) : spans.map((span) => span.toReadableSpan());
    // Admitted above, and evaluated since: refusing now would have the sender retry spans whose
    // replies count as checked, which would then travel without their events. Only a forwarder
    // that is shutting down (or failing) still says no.
    if (!this.#forwarder.enqueue(now, { force: true })) {
      return { accepted: false, status: 503, message: 'forwarder not accepting spans (shutting down); retry later' };
    }
    return { accepted: true };
  }

  forwardLogs?: (body: Buffer, contentType: string, contentEncoding?: string) => Promise<LogsForwardResult> = (
    body,
    contentType,
    contentEncoding,
  ) => this.#forwarder.forwardLogs!(body, contentType, contentEncoding);

  notReadyReason(): string | undefined {
    if (this.#stopping !== undefined) return 'shutting down';
    if (this.#wouldOverflow(1)) return 'forwarding queue full';
    return undefined;
  }

  /**
   * Graceful stop (SIGTERM): refuse new requests, finish the ones in progress
   * (their spans are evaluated and enqueued), release what the stages hold, then shut the
   * forwarder, which flushes within its own shutdown deadline.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#receiver.drain();
      // Stages release what they hold, bounded by their drain deadline (judge results past it
      // land on child spans or carry error.type).
      for (const stage of this.#stages) await stage.shutdown?.().catch(() => undefined);
      // Released spans were accepted: handed over even past the queue bound, never left behind.
      this.#driver?.flushLate();
      await this.#forwarder.shutdown();
      this.#receiver.unobserve();
    })();
    return this.#stopping;
  }

  /** The conversation a trace belongs to, once a span of it named one (for the online stage). */
  conversationOfTrace(traceId: string): string | undefined {
    return this.#pipeline.conversationOfTrace(traceId);
  }

  stats(): CollectorStats {
    return { receiver: this.#receiver.stats(), pipeline: this.#pipeline.stats(), forwarder: this.#forwarder.stats() };
  }

  #wouldOverflow(spans: number, bytes = 0): boolean {
    if (this.#maxQueuedSpans === undefined && this.#maxQueuedBytes === undefined) return false;
    const queued = this.#forwarder.stats();
    if (this.#maxQueuedSpans !== undefined && queued.queuedSpans + spans > this.#maxQueuedSpans) return true;
    return this.#maxQueuedBytes !== undefined && queued.queuedBytes + bytes > this.#maxQueuedBytes;
  }
}
