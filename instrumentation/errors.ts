import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { describeType } from './app-attributes.ts';

/**
 * Thrown (as a rejected promise) only when a helper cannot do the caller's work
 * at all — a missing callback. Everything merely descriptive (ids, text,
 * attributes) is dropped with a diag warning instead.
 */
export class InstrumentationUsageError extends TypeError {
  readonly field: string;
  readonly value: unknown;

  constructor(call: string, field: string, expected: string, value: unknown) {
    super(`${call}: "${field}" must be ${expected}, got ${describeType(value)}`);
    this.name = 'InstrumentationUsageError';
    this.field = field;
    this.value = value;
  }
}

/**
 * `error.type` per semconv: the exception's class name (OpenAI errors have
 * meaningful ones: `RateLimitError`, `InternalServerError`), else `_OTHER`.
 */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const className = error.constructor?.name;
    if (className && className !== 'Error') return className;
    return error.name || 'Error';
  }
  return '_OTHER';
}

export function recordError(span: Span, error: unknown): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
