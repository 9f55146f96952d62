import type { Attributes as ApiAttributes, HrTime } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Attributes, SpanEventRecord, SpanRecord, StatusCode } from '../model/span-record.ts';
import { withFlatStrings } from './flat-strings.ts';
import { OtlpReadableSpan } from './readable-span.ts';
import type { LinkSource } from './readable-span.ts';
import { nanosToHrTime } from './hr-time.ts';
import type { AttributeSizes } from './attribute-tally.ts';
import { sdkResourceOf, sdkScopeOf } from './sdk-values.ts';
import { resultEventNanos } from '../results/event-time.ts';
import type { ReceivedSpan } from './wire/received.ts';

export { nanosToHrTime } from './hr-time.ts';

/** One `ResourceSpans.resource`, shared by its spans (the SDK Resource is built once, on demand). */
export class DecodedResource {
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly schemaUrl: string;
  #receivedHeader: readonly Uint8Array[] | undefined;
  #sdkResource?: Resource;

  /** The ResourceSpans' own fields as received (protobuf), when its spans' bytes are kept (src/otlp/wire). */
  get receivedHeader(): readonly Uint8Array[] | undefined {
    return this.#receivedHeader;
  }

  keepReceivedHeader(fields: readonly Uint8Array[] | undefined): void {
    this.#receivedHeader = fields;
  }

  constructor(attributes: Attributes, droppedAttributesCount: number, schemaUrl: string) {
    this.attributes = attributes;
    this.droppedAttributesCount = droppedAttributesCount;
    this.schemaUrl = schemaUrl;
  }

  /** One object per ResourceSpans: the official serializers group spans by Resource identity. */
  get sdkResource(): Resource {
    return (this.#sdkResource ??= sdkResourceOf(this));
  }
}

export interface DecodedScopeInit {
  readonly name: string;
  readonly version: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  /** `ScopeSpans.schema_url`. */
  readonly schemaUrl: string;
}

/** One `ScopeSpans.scope` with the ScopeSpans' schema URL, shared by its spans. */
export class DecodedScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly schemaUrl: string;
  #receivedHeader: readonly Uint8Array[] | undefined;
  #sdkScope?: InstrumentationScope;

  /** The ScopeSpans' own fields as received (protobuf), when its spans' bytes are kept (src/otlp/wire). */
  get receivedHeader(): readonly Uint8Array[] | undefined {
    return this.#receivedHeader;
  }

  keepReceivedHeader(fields: readonly Uint8Array[] | undefined): void {
    this.#receivedHeader = fields;
  }

  constructor(init: DecodedScopeInit) {
    this.name = init.name;
    this.version = init.version;
    this.attributes = init.attributes;
    this.droppedAttributesCount = init.droppedAttributesCount;
    this.schemaUrl = init.schemaUrl;
  }

  /** One object per ScopeSpans: the protobuf serializer groups spans by scope identity. */
  get sdkScope(): InstrumentationScope {
    return (this.#sdkScope ??= sdkScopeOf(this));
  }
}

/** A span event that reads as both a SpanRecord event and an SDK TimedEvent. */
export class DecodedEvent implements SpanEventRecord {
  readonly name: string;
  readonly timeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;

  constructor(name: string, timeUnixNano: bigint, attributes: Attributes, droppedAttributesCount = 0) {
    this.name = name;
    this.timeUnixNano = timeUnixNano;
    this.attributes = attributes;
    this.droppedAttributesCount = droppedAttributesCount;
  }

  get time(): HrTime {
    return nanosToHrTime(this.timeUnixNano);
  }
}

/** A link as decoded (the shape the SDK view reads). */
export type DecodedLink = LinkSource;

export type { AttributeSizes } from './attribute-tally.ts';

export interface DecodedSpanInit {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  /** W3C tracestate exactly as received ("" when none). */
  readonly traceState: string;
  readonly name: string;
  /** OTLP numbering (1 INTERNAL … 5 CONSUMER, 0 UNSPECIFIED). */
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  /** Mutable on purpose: evaluation events are appended by `addEvent`. */
  readonly events: DecodedEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly DecodedLink[];
  readonly droppedLinksCount: number;
  readonly status: { readonly code: StatusCode; readonly message?: string };
  /** OTLP `Span.flags`: W3C trace flags in bits 0-7, has-is-remote / is-remote in bits 8 / 9. */
  readonly flags: number;
  readonly resource: DecodedResource;
  readonly scope: DecodedScope;
  readonly sizes: AttributeSizes;
}

/**
 * A span decoded from OTLP (JSON or protobuf). It is the `SpanRecord` the
 * pipeline reads, the target the pipeline adds evaluation events to, and, via
 * `toReadableSpan()`, what the official OTLP exporters serialize.
 */
// The fields are declared once, in DecodedSpanInit; the class takes them as they are.
export interface DecodedSpan extends DecodedSpanInit {}

export class DecodedSpan implements SpanRecord {
  #readable?: ReadableSpan;
  #received: Uint8Array | undefined;
  #receivedEvents = 0;
  #addedAttributes: string[] | undefined;
  /** Events as decoded, and whether the span was changed since in a way appending cannot say. */
  #decodedEvents: number;
  #rewritten = false;

  constructor(init: DecodedSpanInit) {
    Object.assign(this, init);
    this.#decodedEvents = init.events.length;
  }

  get resourceAttributes(): Attributes {
    return this.resource.attributes;
  }

  /**
   * Adds an event (the pipeline's evaluation results). Without a time it is
   * stamped at the span's end: evaluation happens as the span ends, the output
   * stays reproducible, and backends draw it inside the span. Its strings are
   * copied flat (see {@link withFlatStrings}).
   */
  /** At the span's end unless a time is given (nanoseconds, or an API HrTime). */
  addEvent(name: string, attributes: ApiAttributes = {}, time: bigint | HrTime = resultEventNanos(this.startTimeUnixNano, this.endTimeUnixNano)): void {
    const timeUnixNano = typeof time === 'bigint' ? time : BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
    // API AnyValue is `unknown`; what the SDK would accept on an event, we keep and encode.
    this.events.push(new DecodedEvent(name, timeUnixNano, withFlatStrings(attributes) as Attributes));
  }

  /** As the SDK span's, without its rules: the caller decides (evaluation-summary.ts's failedSpanStatus). */
  setStatus(status: { readonly code: StatusCode; readonly message?: string }): this {
    // Appending a Status would not do: decoders disagree on whether a second one replaces or merges.
    if (status.code !== this.status.code || (status.message ?? '') !== (this.status.message ?? '')) this.forgetReceived();
    (this as { status: DecodedSpanInit['status'] }).status = status.message === undefined ? { code: status.code } : { code: status.code, message: status.message };
    return this;
  }

  /** Through the SDK view, so both stay alike (readable-span.ts). */
  setAttribute(key: string, value: ApiAttributes[string]): this {
    this.toReadableSpan();
    (this.#readable as OtlpReadableSpan).setAttribute(key, value as never);
    return this;
  }

  /**
   * Keeps the span's protobuf bytes as received: forwarded as they are, with what the pipeline
   * adds appended (src/otlp/wire/trace-request-encoder.ts), instead of re-encoded.
   */
  keepReceived(bytes: Uint8Array): void {
    this.#received = bytes;
    this.#receivedEvents = this.events.length;
  }

  /**
   * The received bytes with what was added since, or undefined when the span must be encoded
   * whole: never received as protobuf, or changed in a way appending cannot say (an event
   * removed, an attribute it arrived with overwritten, its status changed).
   */
  received(): ReceivedSpan | undefined {
    const bytes = this.#received;
    if (bytes === undefined || this.events.length < this.#receivedEvents) return undefined;
    if (this.resource.receivedHeader === undefined || this.scope.receivedHeader === undefined) return undefined;
    return {
      bytes,
      addedEvents: this.events.slice(this.#receivedEvents),
      addedAttributes: this.#addedAttributes ?? [],
      attributes: this.attributes,
      resource: this.resource,
      scope: this.scope,
    };
  }

  /** Its events or attributes were rewritten: the received bytes (or text) no longer say what it is. */
  forgetReceived(): void {
    this.#received = undefined;
    this.#rewritten = true;
  }

  /** Before an attribute is set: a new key can be appended; a received one cannot be overwritten so. */
  noteAttributeSet(key: string): void {
    if (this.#rewritten) return;
    const added = (this.#addedAttributes ??= []);
    if (added.includes(key)) return;
    if (Object.hasOwn(this.attributes, key)) this.forgetReceived();
    else added.push(key);
  }

  /** Whether anything was added or changed since the span was decoded (json-splice.ts writes unchanged spans as they came). */
  changedSinceDecode(): boolean {
    return this.#rewritten || this.events.length !== this.#decodedEvents || (this.#addedAttributes?.length ?? 0) > 0;
  }

  /** The SDK view, built once; its `events` is this span's array, so added events are exported. */
  toReadableSpan(): ReadableSpan {
    return (this.#readable ??= new OtlpReadableSpan(this));
  }
}
