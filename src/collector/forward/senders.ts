import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Agent } from 'node:http';
import type { MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForwardConfig } from '../../config/forward.ts';
import { traceRequestJsonToProtobuf } from '../../otlp/index.ts';
import type { GrpcUpstream } from './grpc-upstream.ts';
import { classifyExportError, isRetryableStatus, type FailureClass } from './retry.ts';
import type { UpstreamObserver } from './http-observer.ts';
import { postOtlp, type PostTarget } from './post.ts';
import type { PersistentQueue } from './persistent-queue.ts';

/** One attempt at delivering a batch; the forwarder decides about retries. */
export type SendResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: FailureClass; readonly retryAfterMs?: number };

const gzipAsync = promisify(gzip);

/** The OTLP request body for a batch, in the configured protocol. */
export function encodeBatch(spans: ReadableSpan[], protocol: ForwardConfig['protocol']): { body: Uint8Array; contentType: string } {
  // OTLP/gRPC carries the protobuf request: the same bytes as http/protobuf.
  const json = protocol === 'http/json';
  const body = (json ? JsonTraceSerializer : ProtobufTraceSerializer).serializeRequest(spans);
  if (!body) throw new Error(`the OTLP ${protocol} serializer produced nothing for ${spans.length} spans`);
  return { body, contentType: json ? 'application/json' : 'application/x-protobuf' };
}

type ExporterOptions = NonNullable<ConstructorParameters<typeof ProtobufTraceExporter>[0]>;

/**
 * Sends in-memory batches through the official OTLP exporter of the configured protocol.
 *
 * Its own retries (otlp-exporter-base 0.301, RetryingTransport): up to 5 re-sends of
 * 429/502/503/504 and network errors, 1 s backoff ×1.5 (±20%), Retry-After honored, all within
 * `timeoutMillis` of the export call; a wait that would pass it ends the call at once. So one
 * `send` lasts at most about `timeout`, the exporter covers blips shorter than that, and our
 * backoff (between sends, up to `retry.maxElapsed`) covers outages. Its re-sends and the
 * Retry-After it does not report are read by the {@link UpstreamObserver} on its agent.
 */
export class ExporterSender {
  private readonly exporter: ProtobufTraceExporter | JsonTraceExporter;
  private readonly observer: UpstreamObserver;
  private readonly now: () => number;
  /** Export calls that reached the transport (each makes at least one HTTP request). */
  sends = 0;

  constructor(config: ForwardConfig, agent: Agent, observer: UpstreamObserver, meterProvider: MeterProvider, now: () => number) {
    const options: ExporterOptions = {
      url: config.endpoint,
      headers: { ...config.headers },
      timeoutMillis: config.timeout,
      compression: config.compression as ExporterOptions['compression'],
      concurrencyLimit: config.batch.maxInFlight,
      httpAgentOptions: () => agent,
      userAgent: 'tracejudge-forwarder',
      selfObsMeterProvider: meterProvider,
    };
    this.exporter = config.protocol === 'http/json' ? new JsonTraceExporter(options) : new ProtobufTraceExporter(options);
    this.observer = observer;
    this.now = now;
  }

  async send(spans: ReadableSpan[]): Promise<SendResult> {
    const startedAt = this.now();
    const result = await new Promise<ExportResult>((resolve) => {
      try {
        this.exporter.export(spans, resolve);
        this.sends++;
      } catch (error) {
        resolve({ code: ExportResultCode.FAILED, error: error as Error });
      }
    });
    if (result.code === ExportResultCode.SUCCESS) return { ok: true };
    const failure = classifyExportError(result.error);
    return { ok: false, failure, retryAfterMs: failure.retryable ? this.observer.retryAfterSince(startedAt) : undefined };
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

/**
 * Sends in-memory batches over OTLP/gRPC: encoded by the official ProtobufTraceSerializer, sent
 * by {@link GrpcUpstream} (why not the official gRPC exporter: see there).
 */
export class GrpcSpanSender {
  private readonly upstream: GrpcUpstream;

  constructor(upstream: GrpcUpstream) {
    this.upstream = upstream;
  }

  async send(spans: ReadableSpan[]): Promise<SendResult> {
    const { body } = encodeBatch(spans, 'grpc');
    const outcome = await this.upstream.exportTraces(body);
    return outcome.ok ? { ok: true } : { ok: false, failure: outcome.failure, ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }) };
  }
}

/**
 * Sends persisted batches by POSTing their stored bytes: they are already an OTLP request
 * body, and after a restart the spans they came from no longer exist to hand an exporter.
 * Same URL, headers, timeout and compression as the exporter; one request per attempt.
 */
export class PersistedSender {
  private readonly store: PersistentQueue;
  private readonly target: PostTarget;
  private readonly gzip: boolean;
  private readonly grpc: GrpcUpstream | undefined;

  /** With `grpc`, batches go over OTLP/gRPC (a batch an earlier run stored as JSON is re-encoded as protobuf). */
  constructor(store: PersistentQueue, config: ForwardConfig, agent: Agent, grpc?: GrpcUpstream) {
    this.store = store;
    this.grpc = grpc;
    this.target = { url: config.endpoint, headers: config.headers, timeoutMs: config.timeout, agent };
    this.gzip = config.compression === 'gzip';
  }

  async send(id: number, signal: AbortSignal): Promise<SendResult> {
    let stored: ReturnType<PersistentQueue['read']>;
    try {
      stored = this.store.read(id);
    } catch (error) {
      return { ok: false, failure: { retryable: false, reason: `cannot read batch ${id} from ${this.store.path}: ${(error as Error).message}` } };
    }
    if (!stored) return { ok: false, failure: { retryable: false, reason: `batch ${id} is no longer in ${this.store.path}` } };
    if (this.grpc) return this.sendGrpc(id, stored, signal);
    const body = this.gzip ? await gzipAsync(stored.body) : stored.body;
    const outcome = await postOtlp(this.target, body, stored.contentType, this.gzip ? 'gzip' : undefined, signal);
    if (outcome.kind === 'error') return { ok: false, failure: classifyExportError(outcome.error) };
    if (outcome.status >= 200 && outcome.status < 300) return { ok: true };
    if (isRetryableStatus(outcome.status)) {
      return { ok: false, failure: { retryable: true, reason: `HTTP ${outcome.status}` }, retryAfterMs: outcome.retryAfterMs };
    }
    const detail = outcome.body ? ` ${outcome.body.slice(0, 200)}` : '';
    return { ok: false, failure: { retryable: false, reason: `HTTP ${outcome.status}${detail}`, status: outcome.status } };
  }

  private async sendGrpc(id: number, stored: { body: Uint8Array; contentType: string }, signal: AbortSignal): Promise<SendResult> {
    let body = stored.body;
    if (/json/i.test(stored.contentType)) {
      try {
        body = traceRequestJsonToProtobuf(stored.body);
      } catch (error) {
        return { ok: false, failure: { retryable: false, reason: `batch ${id} (OTLP/JSON) cannot be re-encoded for the gRPC upstream: ${(error as Error).message}` } };
      }
    }
    const outcome = await this.grpc!.exportTraces(body, signal);
    return outcome.ok ? { ok: true } : { ok: false, failure: outcome.failure, ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }) };
  }
}
