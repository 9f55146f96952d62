import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeKeyValue, writeKeyValues } from './attribute-writer.ts';
import { ByteWriter, putVarint, varintSize, WireType } from './byte-writer.ts';
import type { ReceivedGroup, ReceivedSpan } from './received.ts';

// trace.proto field numbers.
const RESOURCE_SPANS = 1;
const SCOPE_SPANS = 2;
const SPANS = 2;
const SPAN_ATTRIBUTES = 9;
const SPAN_EVENTS = 11;
const EVENT_TIME = 1;
const EVENT_NAME = 2;
const EVENT_ATTRIBUTES = 3;
const EVENT_DROPPED_ATTRIBUTES = 4;
/** Tag byte of a length-delimited field 1 or 2: one byte. */
const TAG_BYTES = 1;

interface SplicedSpan {
  readonly bytes: Uint8Array;
  /** [start, end) of what is appended to it, in the batch's scratch writer. */
  readonly addedStart: number;
  readonly addedEnd: number;
}

type ScopeGroups = Map<ReceivedGroup, SplicedSpan[]>;

/** Reused across batches: the appended fields of one batch are written here first. */
const SCRATCH_BYTES = 64 * 1024;
/** A scratch buffer grown past this by one large batch is let go rather than kept for the process's life. */
const MAX_KEPT_SCRATCH_BYTES = 4 * 1024 * 1024;
let scratch = new ByteWriter(SCRATCH_BYTES);

/** What a span can be sent on as, if it was received as protobuf and only ever appended to. */
function receivedOf(span: ReadableSpan): ReceivedSpan | undefined {
  const received = (span as { received?: () => ReceivedSpan | undefined }).received;
  return typeof received === 'function' ? received.call(span) : undefined;
}

function writeAdded(writer: ByteWriter, received: ReceivedSpan): void {
  for (const event of received.addedEvents) {
    writer.tag(SPAN_EVENTS, WireType.LengthDelimited);
    const start = writer.startLengthDelimited();
    writer.tag(EVENT_TIME, WireType.Fixed64);
    writer.fixed64(typeof event.timeUnixNano === 'bigint' ? event.timeUnixNano : BigInt(event.time[0]) * 1_000_000_000n + BigInt(event.time[1]));
    writer.tag(EVENT_NAME, WireType.LengthDelimited);
    writer.string(event.name);
    if (event.attributes) writeKeyValues(writer, EVENT_ATTRIBUTES, event.attributes);
    if (event.droppedAttributesCount) {
      writer.tag(EVENT_DROPPED_ATTRIBUTES, WireType.Varint);
      writer.varint(event.droppedAttributesCount);
    }
    writer.finishLengthDelimited(start);
  }
  for (const key of received.addedAttributes) {
    const value = received.attributes[key];
    if (value !== undefined) writeKeyValue(writer, SPAN_ATTRIBUTES, key, value);
  }
}

const sum = (parts: readonly Uint8Array[]) => parts.reduce((total, part) => total + part.byteLength, 0);
const framed = (length: number) => TAG_BYTES + varintSize(length) + length;

/**
 * An OTLP protobuf `ExportTraceServiceRequest` for `spans`. A span received as protobuf and only
 * appended to since (events, new attributes) is written as the bytes it arrived in followed by the
 * appended fields — protobuf reads a repeated field's entries across the whole message, so that is
 * the span carrying them — under its ResourceSpans and ScopeSpans written as they arrived: unknown
 * fields, field order and values are kept exactly, and nothing is re-encoded. Every other span
 * (created here, received as JSON, or rewritten) is encoded by the official serializer and its
 * ResourceSpans appended: a request's `resource_spans` entries concatenate the same way.
 */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const resources = new Map<ReceivedGroup, ScopeGroups>();
  const others: ReadableSpan[] = [];
  scratch.reset();
  for (const span of spans) {
    const received = receivedOf(span);
    if (received === undefined) {
      others.push(span);
      continue;
    }
    let scopes = resources.get(received.resource);
    if (scopes === undefined) resources.set(received.resource, (scopes = new Map()));
    let group = scopes.get(received.scope);
    if (group === undefined) scopes.set(received.scope, (group = []));
    const addedStart = scratch.pos;
    writeAdded(scratch, received);
    group.push({ bytes: received.bytes, addedStart, addedEnd: scratch.pos });
  }
  const encodedOthers = others.length > 0 ? ProtobufTraceSerializer.serializeRequest(others) : undefined;
  if (encodedOthers === undefined && others.length > 0) throw new Error(`the OTLP protobuf serializer produced nothing for ${others.length} spans`);

  // Sizes first (a length prefix precedes what it measures), then one buffer written in order.
  const resourceLengths: number[] = [];
  const scopeLengths: number[] = [];
  let total = encodedOthers?.byteLength ?? 0;
  for (const [resource, scopes] of resources) {
    let resourceLength = sum(resource.receivedHeader!);
    for (const [scope, group] of scopes) {
      let scopeLength = sum(scope.receivedHeader!);
      for (const span of group) scopeLength += framed(span.bytes.byteLength + span.addedEnd - span.addedStart);
      scopeLengths.push(scopeLength);
      resourceLength += framed(scopeLength);
    }
    resourceLengths.push(resourceLength);
    total += framed(resourceLength);
  }
  const out = Buffer.allocUnsafe(total);
  const added = scratch.buffer;
  let pos = 0;
  let r = 0;
  let s = 0;
  const copy = (part: Uint8Array) => {
    out.set(part, pos);
    pos += part.byteLength;
  };
  for (const [resource, scopes] of resources) {
    out[pos++] = (RESOURCE_SPANS << 3) | WireType.LengthDelimited;
    pos = putVarint(out, pos, resourceLengths[r++]);
    for (const part of resource.receivedHeader!) copy(part);
    for (const [scope, group] of scopes) {
      out[pos++] = (SCOPE_SPANS << 3) | WireType.LengthDelimited;
      pos = putVarint(out, pos, scopeLengths[s++]);
      for (const part of scope.receivedHeader!) copy(part);
      for (const span of group) {
        out[pos++] = (SPANS << 3) | WireType.LengthDelimited;
        pos = putVarint(out, pos, span.bytes.byteLength + span.addedEnd - span.addedStart);
        copy(span.bytes);
        out.set(added.subarray(span.addedStart, span.addedEnd), pos);
        pos += span.addedEnd - span.addedStart;
      }
    }
  }
  if (encodedOthers) copy(encodedOthers);
  if (scratch.buffer.byteLength > MAX_KEPT_SCRATCH_BYTES) scratch = new ByteWriter(SCRATCH_BYTES);
  if (pos !== total) throw new Error(`internal error: wrote ${pos} of ${total} request bytes`);
  return out;
}
