/**
 * The read side of one span, whatever front door it came through: an SDK
 * `ReadableSpan` in-process, or a decoded OTLP span in collector / batch mode.
 * Everything downstream (normalization, checks, sampling) reads only this.
 */

/** OTLP AnyValue as a plain JS value: scalars, arrays, maps (kvlist), bytes. */
export type AttributeValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | null
  | undefined
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

export type Attributes = Readonly<Record<string, AttributeValue>>;

/** OTLP span kind numbering (1 INTERNAL … 5 CONSUMER); 0 is UNSPECIFIED. */
export const SpanKindOtlp = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** OTLP status codes: 0 UNSET, 1 OK, 2 ERROR. */
export type StatusCode = 0 | 1 | 2;

export interface SpanEventRecord {
  readonly name: string;
  readonly timeUnixNano: bigint;
  readonly attributes: Attributes;
}

export interface SpanRecord {
  readonly traceId: string; // 32 lowercase hex chars
  readonly spanId: string; // 16 lowercase hex chars
  readonly parentSpanId?: string;
  readonly name: string;
  /** OTLP numbering, see {@link SpanKindOtlp}. */
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly resourceAttributes: Attributes;
  readonly status: { readonly code: StatusCode; readonly message?: string };
  readonly events: readonly SpanEventRecord[];
}

export function durationMs(span: Pick<SpanRecord, 'startTimeUnixNano' | 'endTimeUnixNano'>): number {
  return Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
}
