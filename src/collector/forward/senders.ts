import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Agent } from 'node:http';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForwardConfig } from '../../config/forward.ts';
import { encodeTraceRequest, traceRequestJsonToProtobuf } from '../../otlp/index.ts';
import type { GrpcUpstream } from './grpc-upstream.ts';
import { classifyExportError, isRetryableStatus, type FailureClass } from './retry.ts';
import { postOtlp, type PostTarget } from './post.ts';
import type { PersistentQueue } from './persistent-queue.ts';

/** One attempt at delivering a batch; the forwarder decides about retries. */
export type SendResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: FailureClass; readonly retryAfterMs?: number };

export interface EncodedBatch {
  readonly body: Uint8Array;
  readonly contentType: string;
}

const gzipAsync = promisify(gzip);

/**
 * The OTLP request body for a batch, in the configured protocol (OTLP/gRPC carries the
 * protobuf request: the same bytes as http/protobuf). Protobuf: spans received as protobuf are
 * written as they arrived plus what was appended to them (src/otlp/wire), the rest by the
 * official serializer; JSON: the official JSON serializer, once.
 */
export function encodeBatch(spans: readonly ReadableSpan[], protocol: ForwardConfig['protocol']): EncodedBatch {
  if (protocol !== 'http/json') return { body: encodeTraceRequest(spans), contentType: 'application/x-protobuf' };
  const body = JsonTraceSerializer.serializeRequest(spans as ReadableSpan[]);
  if (!body) throw new Error(`the OTLP JSON serializer produced nothing for ${spans.length} spans`);
  return { body, contentType: 'application/json' };
}

/**
 * Sends an encoded batch, one request per attempt: POSTed (gzip when configured) to the
 * endpoint with its headers and timeout, or over OTLP/gRPC when the upstream speaks it (a batch an
 * earlier run stored as JSON is re-encoded as protobuf). The forwarder retries (delivery.ts), so
 * a batch is encoded once whatever its attempts, and in memory or read back from the queue file
 * it leaves the same way.
 */
export class BodySender {
  private readonly target: PostTarget;
  private readonly gzip: boolean;
  private readonly grpc: GrpcUpstream | undefined;

  constructor(config: ForwardConfig, agent: Agent, grpc?: GrpcUpstream) {
    this.grpc = grpc;
    this.target = { url: config.endpoint, headers: config.headers, timeoutMs: config.timeout, agent };
    this.gzip = config.compression === 'gzip';
  }

  async send(batch: EncodedBatch, signal: AbortSignal): Promise<SendResult> {
    if (this.grpc) return this.sendGrpc(batch, signal);
    const body = this.gzip ? await gzipAsync(batch.body) : batch.body;
    const outcome = await postOtlp(this.target, body, batch.contentType, this.gzip ? 'gzip' : undefined, signal);
    if (outcome.kind === 'error') return { ok: false, failure: classifyExportError(outcome.error) };
    if (outcome.status >= 200 && outcome.status < 300) return { ok: true };
    if (isRetryableStatus(outcome.status)) {
      return { ok: false, failure: { retryable: true, reason: `HTTP ${outcome.status}` }, retryAfterMs: outcome.retryAfterMs };
    }
    const detail = outcome.body ? ` ${outcome.body.slice(0, 200)}` : '';
    return { ok: false, failure: { retryable: false, reason: `HTTP ${outcome.status}${detail}`, status: outcome.status } };
  }

  private async sendGrpc(batch: EncodedBatch, signal: AbortSignal): Promise<SendResult> {
    let body = batch.body;
    if (/json/i.test(batch.contentType)) {
      try {
        body = traceRequestJsonToProtobuf(batch.body);
      } catch (error) {
        return { ok: false, failure: { retryable: false, reason: `an OTLP/JSON batch cannot be re-encoded for the gRPC upstream: ${(error as Error).message}` } };
      }
    }
    const outcome = await this.grpc!.exportTraces(body, signal);
    return outcome.ok ? { ok: true } : { ok: false, failure: outcome.failure, ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }) };
  }
}

/** Sends persisted batches: their stored bytes are already an OTLP request body. */
export class PersistedSender {
  private readonly store: PersistentQueue;
  private readonly sender: BodySender;

  constructor(store: PersistentQueue, sender: BodySender) {
    this.store = store;
    this.sender = sender;
  }

  async send(id: number, signal: AbortSignal): Promise<SendResult> {
    let stored: ReturnType<PersistentQueue['read']>;
    try {
      stored = this.store.read(id);
    } catch (error) {
      return { ok: false, failure: { retryable: false, reason: `cannot read batch ${id} from ${this.store.path}: ${(error as Error).message}` } };
    }
    if (!stored) return { ok: false, failure: { retryable: false, reason: `batch ${id} is no longer in ${this.store.path}` } };
    return this.sender.send(stored, signal);
  }
}
