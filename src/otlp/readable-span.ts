import type { AttributeValue, Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { setEntry } from './attribute-tally.ts';
import { nanosToHrTime } from './hr-time.ts';
import { flatValue } from './flat-strings.ts';
import { sdkAttributes, sdkTraceState } from './sdk-values.ts';
import type { Attributes as ModelAttributes } from '../model/span-record.ts';
import type { ReceivedSpan } from './wire/received.ts';

// OTLP Span.flags (trace.proto, SpanFlags): bits 0-7 W3C trace flags, bit 8 "has is_remote", bit 9 "is_remote".
const TRACE_FLAGS_MASK = 0xff;
const CONTEXT_IS_REMOTE_MASK = 0x200;

/** A decoded link, as this view reads it. */
export interface LinkSource {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: ModelAttributes;
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

/**
 * What this view reads of a decoded span (decoded-span.ts's DecodedSpan is one): declared here so
 * the view depends on the shape, not on the class that creates it.
 */
export interface ReadableSource {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly traceState: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: ModelAttributes;
  readonly droppedAttributesCount: number;
  readonly events: TimedEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly LinkSource[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
  readonly flags: number;
  readonly resource: { readonly sdkResource: Resource };
  readonly scope: { readonly sdkScope: InstrumentationScope };
  readonly sizes: { readonly hasBigInt: boolean };
  addEvent(name: string, attributes?: Attributes, time?: [number, number]): void;
  setStatus(status: SpanStatus): unknown;
  /** Told before an attribute is set, so bytes kept as received stay true (decoded-span.ts). */
  noteAttributeSet(key: string): void;
  /** The span as received, when it can be sent on as such (src/otlp/wire). */
  received(): ReceivedSpan | undefined;
}

function linkOf(link: LinkSource): Link {
  return {
    context: {
      traceId: link.traceId,
      spanId: link.spanId,
      traceFlags: link.flags & TRACE_FLAGS_MASK,
      isRemote: (link.flags & CONTEXT_IS_REMOTE_MASK) !== 0,
      traceState: sdkTraceState(link.traceState),
    },
    attributes: link.attributes as Attributes,
    droppedAttributesCount: link.droppedAttributesCount,
  };
}

/**
 * A decoded span as an SDK `ReadableSpan`, for the official OTLP exporters.
 * What the official serializers cannot carry: OTLP kind UNSPECIFIED becomes
 * INTERNAL (the API has no UNSPECIFIED), the has-is-remote flag bit is always
 * set, bigint values are written as decimal strings.
 *
 * It is also what later stages write to in `onEnding` (processors/stage-driver.ts), as SDK
 * processors write to the ending `Span`: attributes go to this view and to the decoded span,
 * events to the decoded span (whose array this view exports). One object per span for both
 * roles: a separate writable wrapper per span was ~2% of `tracejudge collect`'s CPU.
 */
export class OtlpReadableSpan implements ReadableSpan {
  readonly ended = true;
  readonly #span: ReadableSource;
  readonly #context: SpanContext;
  #links?: Link[];
  #attributes?: Attributes;

  constructor(span: ReadableSource) {
    this.#span = span;
    this.#context = {
      traceId: span.traceId,
      spanId: span.spanId,
      traceFlags: span.flags & TRACE_FLAGS_MASK,
      traceState: sdkTraceState(span.traceState),
    };
  }

  get name(): string {
    return this.#span.name;
  }

  /** API SpanKind counts from INTERNAL = 0; OTLP from UNSPECIFIED = 0, INTERNAL = 1. */
  get kind(): SpanKind {
    return Math.max(0, this.#span.kind - 1) as SpanKind;
  }

  readonly spanContext = (): SpanContext => this.#context;

  /** The span as received, when it can be forwarded as its bytes plus what was appended. */
  received(): ReceivedSpan | undefined {
    return this.#span.received();
  }

  get parentSpanContext(): SpanContext | undefined {
    const parentSpanId = this.#span.parentSpanId;
    if (parentSpanId === undefined) return undefined;
    return {
      traceId: this.#span.traceId,
      spanId: parentSpanId,
      traceFlags: this.#span.flags & TRACE_FLAGS_MASK,
      isRemote: (this.#span.flags & CONTEXT_IS_REMOTE_MASK) !== 0,
    };
  }

  get startTime(): HrTime {
    return nanosToHrTime(this.#span.startTimeUnixNano);
  }

  get endTime(): HrTime {
    return nanosToHrTime(this.#span.endTimeUnixNano);
  }

  get duration(): HrTime {
    const nanos = this.#span.endTimeUnixNano - this.#span.startTimeUnixNano;
    return nanosToHrTime(nanos < 0n ? 0n : nanos);
  }

  /** API SpanStatusCode and OTLP share the numbering: 0 UNSET, 1 OK, 2 ERROR. */
  get status(): SpanStatus {
    return this.#span.status;
  }

  get attributes(): Attributes {
    return (this.#attributes ??= sdkAttributes(this.#span.attributes, this.#span.sizes.hasBigInt));
  }

  get links(): Link[] {
    return (this.#links ??= this.#span.links.map(linkOf));
  }

  /** The decoded span's own array: events the pipeline adds are exported with it. */
  get events(): TimedEvent[] {
    return this.#span.events;
  }

  get resource(): Resource {
    return this.#span.resource.sdkResource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.#span.scope.sdkScope;
  }

  get droppedAttributesCount(): number {
    return this.#span.droppedAttributesCount;
  }

  get droppedEventsCount(): number {
    return this.#span.droppedEventsCount;
  }

  get droppedLinksCount(): number {
    return this.#span.droppedLinksCount;
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.#span.noteAttributeSet(key);
    // Flat copies, as for events (flat-strings.ts): rope strings slow the serializer down.
    const flat = flatValue(value);
    setEntry(this.attributes as Record<string, unknown>, key, flat);
    setEntry(this.#span.attributes as Record<string, unknown>, key, flat);
    return this;
  }

  setAttributes(values: Attributes): this {
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (value !== undefined) this.setAttribute(key, value);
    }
    return this;
  }

  /** Written on the decoded span, which the status getter reads. */
  setStatus(status: SpanStatus): this {
    this.#span.setStatus(status);
    return this;
  }

  /** As the SDK's: a time given as an HrTime stamps the event; otherwise it is stamped at the span's end. */
  addEvent(name: string, attributes?: Attributes, time?: unknown): this {
    if (Array.isArray(time) && time.length === 2) this.#span.addEvent(name, attributes, time as [number, number]);
    else this.#span.addEvent(name, attributes);
    return this;
  }

  /** Ended: what a stage writes in `onEnding` is kept, as on an SDK span there, but nothing is recording it. */
  isRecording(): boolean {
    return false;
  }
}
