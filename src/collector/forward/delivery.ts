import { setTimeout as sleep } from 'node:timers/promises';
import type { DiagLogger } from '@opentelemetry/api';
import { nextRetryDelay, type RetryPolicy } from './retry.ts';
import type { SendResult } from './senders.ts';
import type { DropReason } from './span-forwarder.ts';

/** How a batch's delivery ended. `abandoned`: stopped by shutdown before its fate was known. */
export type DeliveryOutcome =
  | { readonly outcome: 'forwarded' }
  | { readonly outcome: 'abandoned' }
  | { readonly outcome: DropReason; readonly detail: string };

export interface DeliveryContext {
  readonly policy: RetryPolicy;
  /** Aborted at the shutdown deadline: waits end and a pending attempt's answer is no longer awaited. */
  readonly signal: AbortSignal;
  readonly random: () => number;
  readonly logger: DiagLogger;
  /** Called before each re-send. */
  readonly onRetry: () => void;
}

const ABORTED = Symbol('aborted');

/**
 * One batch, attempt after attempt, until the upstream takes it, refuses it for good (OTLP
 * "Failures": only 429/502/503/504 and network errors are retried), `retry.maxElapsed` runs out,
 * or shutdown stops it. Never rejects.
 */
export async function deliver(send: () => Promise<SendResult>, context: DeliveryContext): Promise<DeliveryOutcome> {
  const firstAttemptAt = Date.now();
  try {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) context.onRetry();
      const result = await untilAborted(send(), context.signal);
      if (result === ABORTED) return { outcome: 'abandoned' };
      if (result.ok) return { outcome: 'forwarded' };
      const { failure } = result;
      if (!failure.retryable) return { outcome: failure.status === undefined ? 'export_error' : 'rejected', detail: failure.reason };
      const input = { attempt, elapsedMs: Date.now() - firstAttemptAt, retryAfterMs: result.retryAfterMs, random: context.random() };
      const delay = nextRetryDelay(input, context.policy);
      if (delay === undefined) return { outcome: 'retries_exhausted', detail: failure.reason };
      context.logger.debug(`export failed (${failure.reason}); retry ${attempt} in ${delay} ms`);
      await sleep(delay, undefined, { signal: context.signal });
    }
  } catch (error) {
    if (context.signal.aborted) return { outcome: 'abandoned' };
    return { outcome: 'export_error', detail: (error as Error).message };
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
