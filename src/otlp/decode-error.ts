/**
 * Errors name the field by its path in the request, in OTLP/JSON spelling
 * (`resourceSpans[0].scopeSpans[0].spans[2].traceId`), for JSON and protobuf alike.
 */

/** The whole request cannot be used (OTLP: answer 400, the client must not retry). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
  /** Where in the request; "" for the body as a whole. */
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(path === '' ? reason : `${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

/** One span that was left out (OTLP: counted in `partialSuccess.rejectedSpans`). */
export interface SpanRejection {
  readonly path: string;
  readonly reason: string;
  /** `${path}: ${reason}` */
  readonly message: string;
}

export function rejectionOf(error: OtlpDecodeError): SpanRejection {
  return { path: error.path, reason: error.reason, message: error.message };
}

/** Short and typed: enough to find the culprit, too short to copy content (it may be personal data). */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return typeof value;
  }
}
