import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import type { Attributes, SpanEventRecord, SpanRecord, StatusCode } from './span-record.ts';

const NANOS_PER_SECOND = 1_000_000_000n;

function hrTimeToNanos(time: HrTime): bigint {
  return BigInt(time[0]) * NANOS_PER_SECOND + BigInt(time[1]);
}

function eventRecord(event: TimedEvent): SpanEventRecord {
  return { name: event.name, timeUnixNano: hrTimeToNanos(event.time), attributes: (event.attributes ?? {}) as Attributes };
}

/**
 * A SpanRecord over an SDK ReadableSpan, without copying: the processor builds one
 * per span, so what most consumers never read (times, events, resource) is
 * computed on first access. Attribute objects are the span's own (AnyValue under
 * API 1.10 is `unknown`; the readers tolerate any value).
 */
class ReadableSpanRecord implements SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Attributes;
  readonly status: SpanRecord['status'];
  readonly #span: ReadableSpan;
  #start?: bigint;
  #end?: bigint;
  #events?: readonly SpanEventRecord[];
  #eventsOf?: { length: number; last: TimedEvent | undefined };

  constructor(span: ReadableSpan) {
    this.#span = span;
    const context = span.spanContext();
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    const parent = span.parentSpanContext?.spanId;
    if (parent) this.parentSpanId = parent;
    this.name = span.name;
    // API SpanKind counts from INTERNAL = 0; OTLP from UNSPECIFIED = 0, INTERNAL = 1.
    this.kind = span.kind + 1;
    this.attributes = span.attributes as Attributes;
    // API SpanStatusCode and OTLP share the numbering: 0 UNSET, 1 OK, 2 ERROR.
    this.status =
      span.status.message === undefined
        ? { code: span.status.code as StatusCode }
        : { code: span.status.code as StatusCode, message: span.status.message };
  }

  get startTimeUnixNano(): bigint {
    return (this.#start ??= hrTimeToNanos(this.#span.startTime));
  }

  get endTimeUnixNano(): bigint {
    return (this.#end ??= hrTimeToNanos(this.#span.endTime));
  }

  /**
   * The span's events as they are now: a span in `onEnding` still takes events (the checks' own
   * results land after normalization read the content events), so the copy is made again when
   * the SDK's list has changed.
   */
  get events(): readonly SpanEventRecord[] {
    const events = this.#span.events;
    const last = events[events.length - 1];
    const seen = this.#eventsOf;
    if (this.#events === undefined || seen === undefined || seen.length !== events.length || seen.last !== last) {
      this.#events = events.map(eventRecord);
      this.#eventsOf = { length: events.length, last };
    }
    return this.#events;
  }

  /** Read through each time: resource attributes may still be settling (async detectors). */
  get resourceAttributes(): Attributes {
    return this.#span.resource.attributes as Attributes;
  }
}

export function spanRecordFromReadable(span: ReadableSpan): SpanRecord {
  return new ReadableSpanRecord(span);
}
