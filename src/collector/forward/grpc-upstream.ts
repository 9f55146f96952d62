import * as grpc from '@grpc/grpc-js';
import type { ForwardConfig } from '../../config/forward.ts';
import { retryDelayMsOf } from '../../otlp/index.ts';
import type { FailureClass } from './retry.ts';

/**
 * The upstream over OTLP/gRPC (`protocol: grpc`): one HTTP/2 channel, `Export` of an already
 * encoded request (the official ProtobufTraceSerializer's bytes, a persisted batch, a relayed logs
 * request) on TraceService or LogsService. Raw bytes rather than the official gRPC exporter:
 * persisted and relayed requests exist only as bytes, and the exporter's transport neither
 * retries nor reports the RetryInfo a throttling upstream sends, which the forwarder honors.
 * Headers become metadata (lower-case), gzip is grpc-js's message compression, `https:` is TLS.
 */

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS_EXPORT = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** OTLP/gRPC "Failures": the codes a client retries; RESOURCE_EXHAUSTED only when the server sent RetryInfo. */
const RETRYABLE = new Set([grpc.status.CANCELLED, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED, grpc.status.OUT_OF_RANGE, grpc.status.UNAVAILABLE, grpc.status.DATA_LOSS]);

export type GrpcOutcome = { readonly ok: true } | { readonly ok: false; readonly failure: FailureClass; readonly retryAfterMs?: number; readonly code: number };

/** `http://host:4317` → `host:4317`, with the scheme's default port when none is written. */
export function grpcAddressOf(endpoint: string): string {
  const url = new URL(endpoint);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  // An IPv6 hostname keeps its brackets in a URL, as gRPC's target wants them.
  return `${url.hostname}:${port}`;
}

export class GrpcUpstream {
  readonly #client: grpc.Client;
  readonly #metadata: grpc.Metadata;
  readonly #timeoutMs: number;
  bytesSent = 0;

  constructor(endpoint: string, config: Pick<ForwardConfig, 'headers' | 'compression' | 'timeout'>, headers: Readonly<Record<string, string>> = config.headers) {
    const tls = new URL(endpoint).protocol === 'https:';
    this.#client = new grpc.Client(grpcAddressOf(endpoint), tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': config.compression === 'gzip' ? grpc.compressionAlgorithms.gzip : grpc.compressionAlgorithms.identity,
      'grpc.primary_user_agent': 'tracejudge-forwarder',
      'grpc.max_send_message_length': -1,
    });
    this.#metadata = new grpc.Metadata();
    for (const [name, value] of Object.entries(headers)) this.#metadata.set(name.toLowerCase(), value);
    this.#timeoutMs = config.timeout;
  }

  exportTraces(body: Uint8Array, signal?: AbortSignal): Promise<GrpcOutcome> {
    return this.#export(TRACE_EXPORT, body, signal);
  }

  exportLogs(body: Uint8Array, signal?: AbortSignal): Promise<GrpcOutcome> {
    return this.#export(LOGS_EXPORT, body, signal);
  }

  close(): void {
    this.#client.close();
  }

  #export(method: string, body: Uint8Array, signal: AbortSignal | undefined): Promise<GrpcOutcome> {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return new Promise((resolve) => {
      const call = this.#client.makeUnaryRequest(
        method,
        (message: Buffer) => message,
        (answer: Buffer) => answer,
        bytes,
        this.#metadata.clone(),
        { deadline: Date.now() + this.#timeoutMs },
        (error) => {
          signal?.removeEventListener('abort', cancel);
          if (!error) {
            this.bytesSent += bytes.byteLength;
            resolve({ ok: true });
          } else resolve(outcomeOf(error));
        },
      );
      const cancel = () => call.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
    });
  }
}

function outcomeOf(error: grpc.ServiceError): GrpcOutcome {
  const details = error.metadata?.get('grpc-status-details-bin')[0];
  const retryAfterMs = Buffer.isBuffer(details) ? retryDelayMsOf(details) : undefined;
  const name = grpc.status[error.code] ?? String(error.code);
  const reason = `gRPC ${name}${error.details ? ` ${error.details.slice(0, 200)}` : ''}`;
  const retryable = RETRYABLE.has(error.code) || (error.code === grpc.status.RESOURCE_EXHAUSTED && retryAfterMs !== undefined);
  const failure: FailureClass = retryable ? { retryable: true, reason } : { retryable: false, reason, status: error.code };
  return { ok: false, failure, code: error.code, ...(retryAfterMs !== undefined && { retryAfterMs }) };
}
