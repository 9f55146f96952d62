import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  backoffDelay,
  classifyExportError,
  isRetryableStatus,
  nextRetryDelay,
  parseRetryAfter,
} from '../../../src/collector/forward/retry.ts';

const policy = { initialBackoff: 100, maxBackoff: 1000, maxElapsed: 5000 };

describe('backoff', () => {
  it('doubles per attempt within ±50% jitter and stops growing at maxBackoff', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, policy, 0.5))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(3, policy, 0)).toBe(200);
    expect(backoffDelay(3, policy, 0.999)).toBe(600);
    expect(backoffDelay(10, policy, 0.999)).toBe(1000);
    expect(backoffDelay(10, policy, 0)).toBe(500);
  });

  it('takes Retry-After as a floor, capped, and gives up when the wait would pass maxElapsed', () => {
    expect(nextRetryDelay({ attempt: 1, elapsedMs: 0, random: 0.5 }, policy)).toBe(100);
    expect(nextRetryDelay({ attempt: 1, elapsedMs: 0, retryAfterMs: 3000, random: 0.5 }, policy)).toBe(3000);
    expect(nextRetryDelay({ attempt: 4, elapsedMs: 0, retryAfterMs: 10, random: 0.5 }, policy)).toBe(800);
    expect(nextRetryDelay({ attempt: 1, elapsedMs: 2500, retryAfterMs: 3000, random: 0.5 }, policy)).toBeUndefined();
    expect(nextRetryDelay({ attempt: 1, elapsedMs: 4950, random: 0.5 }, policy)).toBeUndefined();
    const forever = { ...policy, maxElapsed: 0 };
    expect(nextRetryDelay({ attempt: 1, elapsedMs: 1e9, retryAfterMs: 1e12, random: 0.5 }, forever)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-11-02T10:00:00Z');
  it('reads delay-seconds and HTTP-dates, and nothing else', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Mon, 02 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 02 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['5', '9'], now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('which failures are retried', () => {
  it('retries only 429, 502, 503, 504 (OTLP/HTTP "Failures")', () => {
    expect([400, 401, 404, 413, 429, 500, 501, 502, 503, 504].filter(isRetryableStatus)).toEqual([429, 502, 503, 504]);
  });

  // Error shapes as otlp-exporter-base 0.301 builds them (OTLPExporterError is not exported to us).
  const exporterError = (message: string, code?: number) => Object.assign(new Error(message), { name: 'OTLPExporterError', code });

  it('reads the OTLP exporter failures', () => {
    expect(classifyExportError(exporterError('Bad Request', 400))).toEqual({ retryable: false, reason: 'HTTP 400 Bad Request', status: 400 });
    expect(classifyExportError(exporterError('Internal Server Error', 500))).toMatchObject({ retryable: false, status: 500 });
    expect(classifyExportError(exporterError('Export failed with retryable status'))).toEqual({ retryable: true, reason: 'Export failed with retryable status' });
    expect(classifyExportError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toEqual({ retryable: true, reason: 'ECONNREFUSED' });
    expect(classifyExportError(new Error('Request timed out'))).toMatchObject({ retryable: true });
    expect(classifyExportError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toMatchObject({ retryable: false });
    expect(classifyExportError('weird')).toMatchObject({ retryable: false });
  });
});
