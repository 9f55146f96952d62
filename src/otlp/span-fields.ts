import type { StatusCode } from '../model/span-record.ts';
import { OtlpDecodeError } from './decode-error.ts';
import type { DecodedSpan } from './decoded-span.ts';
import type { SpanRejection } from './decode-error.ts';

/** trace.proto `Span.SpanKind` names, by number. */
export const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

/** trace.proto `Status.StatusCode` names, by number. */
export const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

/** Protobuf enums are open: an unknown number decodes, but means nothing to us. */
export function checkKind(kind: number, path: string): number {
  if (Number.isInteger(kind) && kind >= 0 && kind < SPAN_KIND_NAMES.length) return kind;
  throw new OtlpDecodeError(path, `expected a span kind 0..5, got ${kind}`);
}

export function checkStatusCode(code: number, path: string): StatusCode {
  if (code === 0 || code === 1 || code === 2) return code;
  throw new OtlpDecodeError(path, `expected a status code 0..2, got ${code}`);
}

/** What a request decodes to: usable spans, and the ones left out with why. */
export interface DecodedTraceRequest {
  readonly spans: DecodedSpan[];
  readonly rejected: readonly SpanRejection[];
}
