import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ForwardConfig } from '../../config/forward.ts';
import { backoffDelay, isRetryableStatus, type RetryPolicy } from './retry.ts';
import { postOtlp, type PostTarget } from './post.ts';
import type { LogsForwardResult } from './span-forwarder.ts';

/**
 * The logs URL: `logs.endpoint`, else the traces URL with its `/v1/traces` turned into
 * `/v1/logs` (how the generic OTLP endpoint maps to each signal); undefined when neither says.
 */
export function logsUrlFor(config: ForwardConfig): string | undefined {
  if (config.logs.endpoint) return config.logs.endpoint;
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
  private readonly policy: RetryPolicy;
  private readonly maxAttempts: number;
  private readonly random: () => number;

  constructor(config: ForwardConfig, agent: Agent, random: () => number, maxAttempts = 3) {
    const url = logsUrlFor(config);
    this.target = url === undefined ? undefined : { url, headers: config.logs.headers ?? config.headers, timeoutMs: config.timeout, agent };
    this.policy = config.retry;
    this.maxAttempts = maxAttempts;
    this.random = random;
  }

  get url(): string | undefined {
    return this.target?.url;
  }

  async forward(body: Buffer, contentType: string, contentEncoding: string | undefined, signal: AbortSignal): Promise<LogsForwardResult> {
    if (!this.target) return { status: 404 };
    let last: LogsForwardResult = { status: UNREACHABLE };
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const outcome = await postOtlp(this.target, body, contentType, contentEncoding, signal);
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
}
