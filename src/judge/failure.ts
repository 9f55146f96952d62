import type { APIError } from 'openai';
import { z } from 'zod';
import { openAIRuntime } from './openai-runtime.ts';
import { describeIssues } from './answer.ts';

/** `error.type` values of judge results; HTTP failures not listed are `judge_http_<status>`. */
export const JudgeErrorType = {
  REFUSAL: 'judge_refusal',
  INVALID_OUTPUT: 'judge_invalid_output',
  OUTPUT_TRUNCATED: 'judge_output_truncated',
  TIMEOUT: 'judge_timeout',
  RATE_LIMITED: 'judge_rate_limited',
  UNAVAILABLE: 'judge_unavailable',
  CIRCUIT_OPEN: 'judge_circuit_open',
  QUEUE_FULL: 'judge_queue_full',
  ABORTED: 'judge_aborted',
  FAILED: 'judge_failed',
} as const;

/**
 * How a call counts for the circuit breaker: `failure` when the judge is down,
 * slow or throttling; `success` when it answered (even a refusal or garbage:
 * it is alive); `neutral` when the call says nothing about its health (the
 * caller gave up, or this one request was bad: 400/422).
 */
export type BreakerVerdict = 'success' | 'failure' | 'neutral';

export interface JudgeFailure {
  readonly type: string;
  readonly message: string;
  readonly breaker: BreakerVerdict;
  /** From `Retry-After` / `retry-after-ms` on a 429 that outlived the client's retries. */
  readonly retryAfterMs?: number;
}

export interface FailureContext {
  readonly callerSignal?: AbortSignal;
  readonly deadlineSignal: AbortSignal;
  readonly deadlineMs: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** An error from the openai client (after its own retries) as a judge result error. */
export function classifyFailure(error: unknown, context: FailureContext): JudgeFailure {
  if (context.callerSignal?.aborted) {
    return { type: JudgeErrorType.ABORTED, message: 'the caller cancelled the evaluation', breaker: 'neutral' };
  }
  if (context.deadlineSignal.aborted) {
    return { type: JudgeErrorType.TIMEOUT, message: `no answer within the overall deadline of ${context.deadlineMs}ms`, breaker: 'failure' };
  }
  const attempts = `${context.maxRetries + 1} attempt(s)`;
  const openai = openAIRuntime();
  if (openai !== undefined) {
    const failure = clientFailure(error, openai, context, attempts);
    if (failure !== undefined) return failure;
  }
  if (error instanceof z.ZodError) {
    return { type: JudgeErrorType.INVALID_OUTPUT, message: `the judge's answer does not fit the rubric: ${describeIssues(error)}`, breaker: 'success' };
  }
  if (error instanceof SyntaxError) {
    return { type: JudgeErrorType.INVALID_OUTPUT, message: `the judge's answer is not JSON: ${error.message}`, breaker: 'success' };
  }
  return { type: JudgeErrorType.FAILED, message: error instanceof Error ? error.message : String(error), breaker: 'neutral' };
}

/** The openai client's own errors (after its retries); undefined for anything else. */
function clientFailure(
  error: unknown,
  { APIConnectionTimeoutError, APIUserAbortError, APIConnectionError, APIError, LengthFinishReasonError, ContentFilterFinishReasonError }: NonNullable<ReturnType<typeof openAIRuntime>>,
  context: FailureContext,
  attempts: string,
): JudgeFailure | undefined {
  if (error instanceof APIConnectionTimeoutError) {
    return { type: JudgeErrorType.TIMEOUT, message: `no answer within ${context.timeoutMs}ms, ${attempts}`, breaker: 'failure' };
  }
  if (error instanceof APIUserAbortError) {
    return { type: JudgeErrorType.ABORTED, message: 'the request was aborted', breaker: 'neutral' };
  }
  if (error instanceof APIConnectionError) {
    return { type: JudgeErrorType.UNAVAILABLE, message: `cannot reach the judge after ${attempts}: ${causeOf(error)}`, breaker: 'failure' };
  }
  if (error instanceof APIError && typeof error.status === 'number') return httpFailure(error, error.status, attempts);
  if (error instanceof LengthFinishReasonError) {
    return { type: JudgeErrorType.OUTPUT_TRUNCATED, message: 'the judge hit its output token limit before finishing', breaker: 'success' };
  }
  if (error instanceof ContentFilterFinishReasonError) {
    return { type: JudgeErrorType.REFUSAL, message: 'the judge stopped on a content filter', breaker: 'success' };
  }
  return undefined;
}

function httpFailure(error: APIError, status: number, attempts: string): JudgeFailure {
  const detail = `HTTP ${status}: ${trimmed(error.message)}`;
  if (status === 429) {
    const retryAfterMs = retryAfter(error.headers);
    return { type: JudgeErrorType.RATE_LIMITED, message: `rate limited after ${attempts}; ${detail}`, breaker: 'failure', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status === 408) return { type: JudgeErrorType.TIMEOUT, message: `${detail} after ${attempts}`, breaker: 'failure' };
  if (status === 502 || status === 503 || status === 504) {
    return { type: JudgeErrorType.UNAVAILABLE, message: `${detail} after ${attempts}`, breaker: 'failure' };
  }
  // 5xx and auth / routing errors (401, 403, 404) repeat for every request: stop hammering.
  const breaker: BreakerVerdict = status >= 500 || status === 401 || status === 403 || status === 404 ? 'failure' : 'neutral';
  return { type: `judge_http_${status}`, message: status >= 500 ? `${detail} after ${attempts}` : detail, breaker };
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number.parseFloat(headers?.get('retry-after') ?? '');
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

function trimmed(message: string): string {
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
