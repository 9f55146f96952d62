import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import type { ForwardConfig } from '../../config/forward.ts';
import { logsRequestJsonToProtobuf } from '../../otlp/index.ts';
import { GrpcUpstream, type GrpcOutcome } from './grpc-upstream.ts';
import { backoffDelay, isRetryableStatus, type RetryPolicy } from './retry.ts';
import { postOtlp, type PostOutcome, type PostTarget } from './post.ts';
import type { LogsForwardResult } from './span-forwarder.ts';

const gunzipAsync = promisify(gunzip);

/**
 * The logs URL: `logs.endpoint`, else the traces URL with its `/v1/traces` turned into
 * `/v1/logs` (how the generic OTLP endpoint maps to each signal); undefined when neither says.
 */
export function logsUrlFor(config: ForwardConfig): string | undefined {
  if (config.logs.endpoint) return config.logs.endpoint;
  // OTLP/gRPC: one address serves both services.
  if (config.protocol === 'grpc') return config.endpoint;
  const url = new URL(config.endpoint);
  if (!url.pathname.endsWith('/v1/traces')) return undefined;
  url.pathname = url.pathname.replace(/\/v1\/traces$/, '/v1/logs');
  return url.href;
}

/** The upstream could not be reached: a gateway error, which OTLP clients retry. */
const UNREACHABLE = 502;

/**
 * Relays an OTLP logs request unchanged. The sender is waiting on this answer, so the retries
 * are few and short: at most `maxAttempts`, waits capped by `retry.maxBackoff`; a longer
 * Retry-After is passed back for the receiver to answer with instead of waited here.
 */
export class LogsRelay {
  private readonly target: PostTarget | undefined;
  private readonly grpc: GrpcUpstream | undefined;
  private readonly policy: RetryPolicy;
  private readonly maxAttempts: number;
  private readonly random: () => number;

  constructor(config: ForwardConfig, agent: Agent, random: () => number, maxAttempts = 3) {
    const url = logsUrlFor(config);
    this.target = url === undefined ? undefined : { url, headers: config.logs.headers ?? config.headers, timeoutMs: config.timeout, agent };
    this.grpc = url !== undefined && config.protocol === 'grpc' ? new GrpcUpstream(url, config, config.logs.headers ?? config.headers) : undefined;
    this.policy = config.retry;
    this.maxAttempts = maxAttempts;
    this.random = random;
  }

  get url(): string | undefined {
    return this.target?.url;
  }

  async forward(body: Buffer, contentType: string, contentEncoding: string | undefined, signal: AbortSignal): Promise<LogsForwardResult> {
    if (!this.target) return { status: 404 };
    const target = this.target;
    let attemptOnce: () => Promise<PostOutcome>;
    if (this.grpc) {
      const grpcUpstream = this.grpc;
      let request: Uint8Array;
      try {
        request = await asProtobuf(body, contentType, contentEncoding);
      } catch (error) {
        return { status: 400, message: `the logs request cannot be re-encoded for the gRPC upstream: ${(error as Error).message}` };
      }
      attemptOnce = async () => answerOf(await grpcUpstream.exportLogs(request, signal));
    } else {
      attemptOnce = () => postOtlp(target, body, contentType, contentEncoding, signal);
    }
    let last: LogsForwardResult = { status: UNREACHABLE };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const outcome = await attemptOnce();
      let retryAfterMs: number | undefined;
      if (outcome.kind === 'answer') {
        if (!isRetryableStatus(outcome.status)) return { status: outcome.status };
        retryAfterMs = outcome.retryAfterMs;
        last = retryAfterMs === undefined ? { status: outcome.status } : { status: outcome.status, retryAfterMs };
      } else {
        last = { status: UNREACHABLE };
      }
      if (attempt === this.maxAttempts || signal.aborted) break;
      const wait = Math.max(backoffDelay(attempt, this.policy, this.random()), retryAfterMs ?? 0);
      if (wait > this.policy.maxBackoff) break;
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        break; // shutting down
      }
    }
    return last;
  }

  close(): void {
    this.grpc?.close();
  }
}

/** The relayed body as OTLP protobuf, what gRPC carries: inflated, and re-encoded when it came as OTLP/JSON. */
async function asProtobuf(body: Buffer, contentType: string, contentEncoding: string | undefined): Promise<Uint8Array> {
  const plain = contentEncoding === 'gzip' ? await gunzipAsync(body) : body;
  return /json/i.test(contentType) ? logsRequestJsonToProtobuf(plain) : plain;
}

/** A gRPC answer as the HTTP status the receiver passes back to the sender (OTLP's HTTP ↔ gRPC equivalents). */
function answerOf(outcome: GrpcOutcome): PostOutcome {
  if (outcome.ok) return { kind: 'answer', status: 200, body: '' };
  const status = HTTP_STATUS_OF_GRPC.get(outcome.code) ?? UNREACHABLE;
  return { kind: 'answer', status, body: outcome.failure.reason, ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }) };
}

const HTTP_STATUS_OF_GRPC = new Map<number, number>([
  [grpc.status.INVALID_ARGUMENT, 400],
  [grpc.status.UNAUTHENTICATED, 401],
  [grpc.status.PERMISSION_DENIED, 403],
  [grpc.status.NOT_FOUND, 404],
  [grpc.status.UNIMPLEMENTED, 404],
  [grpc.status.RESOURCE_EXHAUSTED, 429],
  [grpc.status.UNAVAILABLE, 503],
  [grpc.status.DEADLINE_EXCEEDED, 504],
]);
