/**
 * The forwarder's retry rules, pure: no clock, no randomness of their own (both passed in).
 */

export interface RetryPolicy {
  readonly initialBackoff: number;
  readonly maxBackoff: number;
  /** 0 = never give up. */
  readonly maxElapsed: number;
}

/** A single wait asked by Retry-After is honored up to this; beyond it a server is misbehaving. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** OTLP/HTTP "Failures": clients retry only these; every other 4xx/5xx MUST NOT be retried. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * Exponential backoff, doubling from `initialBackoff`, with ±50% jitter (the Collector's
 * exporterhelper randomization factor) so replicas that failed together do not retry together.
 * `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: number): number {
  const base = Math.min(policy.maxBackoff, policy.initialBackoff * 2 ** Math.max(0, attempt - 1));
  return Math.min(policy.maxBackoff, Math.round(base * (0.5 + random)));
}

export interface RetryInput {
  /** 1 after the first failed attempt. */
  readonly attempt: number;
  /** Since the batch's first attempt. */
  readonly elapsedMs: number;
  /** What the upstream asked for, if it did. */
  readonly retryAfterMs?: number;
  readonly random: number;
}

/**
 * How long to wait before the next attempt, or `undefined` to give the batch up. Retry-After is
 * a floor, as the Collector takes max(backoff, throttle delay): the server's wish is honored and
 * our backoff still grows if it keeps failing.
 */
export function nextRetryDelay(input: RetryInput, policy: RetryPolicy): number | undefined {
  const backoff = backoffDelay(input.attempt, policy, input.random);
  const asked = input.retryAfterMs === undefined ? 0 : Math.min(Math.max(0, input.retryAfterMs), MAX_RETRY_AFTER_MS);
  const delay = Math.max(backoff, asked);
  if (policy.maxElapsed > 0 && input.elapsedMs + delay > policy.maxElapsed) return undefined;
  return delay;
}

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, in ms from `nowMs`; undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : (value as string | undefined))?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would take "-3" for a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export type FailureClass =
  | { readonly retryable: true; readonly reason: string }
  | { readonly retryable: false; readonly reason: string; readonly status?: number };

// Node socket errors worth another try; a TLS or URL error will not heal by waiting.
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND',
  'ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN', 'UND_ERR_SOCKET',
]);

/**
 * What an OTLP exporter's failed `ExportResult.error` means. Read from otlp-exporter-base
 * 0.301: a non-retryable HTTP answer is an `OTLPExporterError` with `code` = the status and
 * `data` = the body; a retryable answer (429/502/503/504) that outlived the exporter's own
 * retries is an `OTLPExporterError` with NO code and no Retry-After (the status is lost, hence
 * the forwarder's HTTP observer); a network failure is the Node error itself (`code` ECONNREFUSED…)
 * or `Error('Request timed out')`.
 */
export function classifyExportError(error: unknown): FailureClass {
  if (!(error instanceof Error)) return { retryable: false, reason: `export failed: ${String(error)}` };
  const code = (error as { code?: unknown }).code;
  if (error.name === 'OTLPExporterError') {
    if (typeof code === 'number') {
      return isRetryableStatus(code)
        ? { retryable: true, reason: `HTTP ${code}` }
        : { retryable: false, reason: `HTTP ${code}${error.message ? ` ${error.message}` : ''}`, status: code };
    }
    return { retryable: true, reason: error.message || 'retryable status' };
  }
  if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return { retryable: true, reason: code };
  if (error.message === 'Request timed out' || error.message === 'Concurrent export limit reached') {
    return { retryable: true, reason: error.message };
  }
  return { retryable: false, reason: error.message };
}
