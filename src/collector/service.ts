import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { EvaluationPipeline } from '../../processors/index.ts';
import type { EvaluationPipelineOptions, PipelineStats, SpanStage } from '../../processors/index.ts';
import { ContentWait } from './content-wait.ts';
import { observeJoin } from './join-metrics.ts';
import type { ContentWaitStats } from './content-wait.ts';
import { genAIContentOf } from '../otlp/index.ts';
import type { DecodedLogsRequest, DecodedSpan } from '../otlp/index.ts';
import { DEFAULT_RECEIVER_OPTIONS, OtlpHttpReceiver } from './receive/receiver.ts';
import { OtlpGrpcReceiver } from './receive/grpc.ts';
import type { GrpcReceiverStats } from './receive/grpc.ts';
import { endOrder, startOrder } from '../otlp/replay-order.ts';
import { dropEarlierInlineResults } from '../otlp/earlier-results.ts';
import { StageDriver } from '../../processors/stage-driver.ts';
import type { ReceiverIntake, ReceiverOptions, ReceiverStats } from './receive/receiver.ts';
import type { ForwarderStats, LogsForwardResult, SpanForwarder } from './forward/span-forwarder.ts';

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
  /**
   * How long a request whose GenAI chat spans carry no content waits for the log records that
   * carry it (`join.waitMs`, DESIGN.md "Two signals"); 0 = never. Default 2,000 ms.
   */
  readonly joinWaitMs?: number;
  /** OTLP/gRPC beside OTLP/HTTP (`--grpc-listen`): same intake, limits and auth. Absent = HTTP only. */
  readonly grpc?: { readonly host: string; readonly port: number };
}

export interface CollectorStats {
  readonly receiver: ReceiverStats;
  /** The OTLP/gRPC receiver's calls, when it runs. */
  readonly grpc?: GrpcReceiverStats;
  readonly pipeline: PipelineStats;
  readonly forwarder: ForwarderStats;
  /** Requests held back for their spans' content (log records), and how they were released. */
  readonly join: ContentWaitStats;
}

export const DEFAULT_JOIN_WAIT_MS = 2_000;

/** The OTLP/gRPC port could not be bound (in use, bad address): the HTTP side was released again. */
export class GrpcListenError extends Error {
  override readonly name = 'GrpcListenError';
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
  readonly #grpc: OtlpGrpcReceiver | undefined;
  readonly #grpcAt: string;
  readonly #maxQueuedSpans: number | undefined;
  readonly #maxQueuedBytes: number | undefined;
  readonly #stages: readonly SpanStage[];
  readonly #driver: StageDriver | undefined;
  readonly #wait: ContentWait;
  readonly #unobserveJoin: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: CollectorServiceOptions) {
    this.#pipeline = new EvaluationPipeline(options.pipeline);
    this.#forwarder = options.forwarder;
    this.#maxQueuedSpans = options.forwarderMaxQueuedSpans;
    this.#maxQueuedBytes = options.forwarderMaxQueuedBytes;
    this.#stages = options.stages ?? [];
    this.#driver = this.#stages.length > 0 ? new StageDriver(this.#stages, this.#forwarder, (spans) => !this.#wouldOverflow(spans)) : undefined;
    this.#wait = new ContentWait({
      waitMs: options.joinWaitMs ?? DEFAULT_JOIN_WAIT_MS,
      hasOutput: (traceId, spanId) => this.#pipeline.hasContentOutput(traceId, spanId),
      release: (spans) => this.#evaluateAndEnqueue(spans, true),
    });
    this.#unobserveJoin =
      options.meterProvider === undefined
        ? undefined
        : observeJoin(options.meterProvider, () => {
            const receiver = this.#receiver.stats();
            return { pipeline: this.#pipeline.stats(), join: this.#wait.stats(), logRecordsAccepted: receiver.logRecordsAccepted, logRecordsRejected: receiver.logRecordsRejected };
          });
    this.#receiver = new OtlpHttpReceiver(this, {
      ...options.receiver,
      ...(options.meterProvider !== undefined && { meterProvider: options.meterProvider }),
    });
    this.#grpcAt = options.grpc ? `${options.grpc.host}:${options.grpc.port}` : '';
    if (options.grpc) {
      const http = { ...DEFAULT_RECEIVER_OPTIONS, ...options.receiver };
      this.#grpc = new OtlpGrpcReceiver(this, {
        host: options.grpc.host,
        port: options.grpc.port,
        maxMessageBytes: http.maxBodyBytes,
        retryAfterSeconds: http.retryAfterSeconds,
        ...(http.auth && { auth: http.auth }),
      });
    }
  }

  /** Binds OTLP/HTTP (resolves with its address) and, when configured, OTLP/gRPC (`grpcPort`). */
  async start(): Promise<AddressInfo> {
    const address = await this.#receiver.listen();
    if (this.#grpc) {
      try {
        this.grpcPort = await this.#grpc.listen();
      } catch (error) {
        await this.#receiver.drain();
        throw new GrpcListenError(`OTLP/gRPC on ${this.#grpcAt}: ${(error as Error).message}`);
      }
    }
    return address;
  }

  /** The OTLP/gRPC port once `start` bound it. */
  grpcPort: number | undefined;

  acceptSpans(spans: DecodedSpan[], bodyBytes = 0): { accepted: true } | { accepted: false; status: 429 | 503; message: string } {
    // No check for stopping here: requests already being read when a stop begins are finished.
    if (this.#wouldOverflow(spans.length, bodyBytes)) {
      return { accepted: false, status: 429, message: 'forwarding queue full: the upstream is slower than the senders; retry later' };
    }
    // Held for the log records that carry its spans' content: accepted, evaluated when they come (or at the wait's end).
    if (this.#wait.offer(spans)) return { accepted: true };
    if (!this.#evaluateAndEnqueue(spans, false)) {
      return { accepted: false, status: 503, message: 'forwarder not accepting spans (shutting down); retry later' };
    }
    return { accepted: true };
  }

  /**
   * Takes a logs request (decoded by the receiver): its GenAI content records go to the pipeline,
   * keyed by span, which may release spans waiting for them; the body is relayed to the upstream's
   * logs endpoint as received, when there is one. Never throws.
   */
  async acceptLogs(decoded: DecodedLogsRequest, body: Buffer, contentType: string, contentEncoding?: string): Promise<LogsForwardResult> {
    const content = genAIContentOf(decoded.records);
    if (content.length > 0) {
      this.#pipeline.addContent(content);
      this.#wait.recheck();
    }
    // No logs endpoint upstream: the records were read here, and that is all they are for.
    if (this.#forwarder.forwardLogs === undefined || this.#forwarder.logsUrl === undefined) return { status: 200 };
    return this.#forwarder.forwardLogs(body, contentType, contentEncoding);
  }

  /** Evaluates a request's spans and hands them to the forwarder; false when it refuses them. */
  #evaluateAndEnqueue(spans: DecodedSpan[], released: boolean): boolean {
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
    const enqueued = this.#forwarder.enqueue(now, { force: true });
    if (!enqueued && released) diag.error(`tracejudge collect: ${now.length} spans released after waiting for their content could not be forwarded (forwarder stopped)`);
    return enqueued;
  }

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
      await Promise.all([this.#receiver.drain(), this.#grpc?.drain()]);
      // No more content can come: what waits for it is evaluated with what it has.
      this.#wait.releaseAll();
      // Stages release what they hold, bounded by their drain deadline (judge results past it
      // land on child spans or carry error.type).
      for (const stage of this.#stages) await stage.shutdown?.().catch(() => undefined);
      // Released spans were accepted: handed over even past the queue bound, never left behind.
      this.#driver?.flushLate();
      await this.#forwarder.shutdown();
      this.#receiver.unobserve();
      this.#unobserveJoin?.();
    })();
    return this.#stopping;
  }

  /** The conversation a trace belongs to, once a span of it named one (for the online stage). */
  conversationOfTrace(traceId: string): string | undefined {
    return this.#pipeline.conversationOfTrace(traceId);
  }

  stats(): CollectorStats {
    return {
      receiver: this.#receiver.stats(),
      ...(this.#grpc && { grpc: this.#grpc.stats() }),
      pipeline: this.#pipeline.stats(),
      forwarder: this.#forwarder.stats(),
      join: this.#wait.stats(),
    };
  }

  #wouldOverflow(spans: number, bytes = 0): boolean {
    if (this.#maxQueuedSpans === undefined && this.#maxQueuedBytes === undefined) return false;
    const queued = this.#forwarder.stats();
    // Spans held for their content will be enqueued: they count against the bound already.
    if (this.#maxQueuedSpans !== undefined && queued.queuedSpans + this.#wait.heldSpans + spans > this.#maxQueuedSpans) return true;
    return this.#maxQueuedBytes !== undefined && queued.queuedBytes + bytes > this.#maxQueuedBytes;
  }
}
