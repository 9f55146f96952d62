import type { AttributeValue, Attributes } from '../model/span-record.ts';
import { isIntegralDouble } from './attribute-tally.ts';
import type { DecodedEvent, DecodedLink, DecodedResource, DecodedScope, DecodedSpan } from './decoded-span.ts';

/**
 * OTLP/JSON writer for decoded spans (`tracejudge check` output).
 *
 * Not `JsonTraceSerializer` from @opentelemetry/otlp-transformer: over a
 * ReadableSpan it cannot write back what it was given — a bigint becomes an
 * empty value, integral doubles become ints, the has-is-remote flag is always
 * set, kind UNSPECIFIED turns INTERNAL, non-primitive resource attributes and
 * the resource's dropped count are lost. This writer keeps every decoded field.
 * Output follows protobuf's JSON mapping as the OTLP spec asks: 64-bit integers
 * as decimal strings, hex ids, integer enums, default values omitted.
 */

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

const SPECIAL_DOUBLES = new Map<number, string>([
  [Infinity, 'Infinity'],
  [-Infinity, '-Infinity'],
]);

function doubleJson(value: number): Json {
  if (Number.isNaN(value)) return 'NaN';
  return SPECIAL_DOUBLES.get(value) ?? value;
}

function anyValueJson(value: AttributeValue, container: object, key: string | number): Json {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'bigint':
      return { intValue: value.toString() };
    case 'number':
      return Number.isSafeInteger(value) && !isIntegralDouble(container, key)
        ? { intValue: String(value) }
        : { doubleValue: doubleJson(value) };
    case 'object': {
      if (value === null) return {};
      if (value instanceof Uint8Array) {
        return { bytesValue: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      }
      if (Array.isArray(value)) {
        const array = value as readonly AttributeValue[];
        return { arrayValue: { values: array.map((item, i) => anyValueJson(item, array, i)) } };
      }
      return { kvlistValue: { values: keyValuesJson(value as Attributes) } };
    }
    default:
      return {}; // undefined: an empty AnyValue
  }
}

function keyValuesJson(attributes: Attributes): Json[] {
  return Object.keys(attributes).map((key) => ({ key, value: anyValueJson(attributes[key], attributes, key) }));
}

/** Only fields that differ from their default, like protobuf's JSON mapping. */
function compact(fields: Record<string, Json | undefined>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined || value === '' || value === 0 || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out;
}

/** fixed64 as a decimal string; 0 is the default and omitted. */
function nanosJson(nanos: bigint): string | undefined {
  return nanos === 0n ? undefined : nanos.toString();
}

function eventJson(event: DecodedEvent): Json {
  return compact({
    timeUnixNano: nanosJson(event.timeUnixNano),
    name: event.name,
    attributes: keyValuesJson(event.attributes),
    droppedAttributesCount: event.droppedAttributesCount,
  });
}

function linkJson(link: DecodedLink): Json {
  return compact({
    traceId: link.traceId,
    spanId: link.spanId,
    traceState: link.traceState,
    attributes: keyValuesJson(link.attributes),
    droppedAttributesCount: link.droppedAttributesCount,
    flags: link.flags,
  });
}

/** Field order as declared in trace.proto (protojson writes declaration order). */
export function spanJson(span: DecodedSpan): Json {
  return compact({
    traceId: span.traceId,
    spanId: span.spanId,
    traceState: span.traceState,
    parentSpanId: span.parentSpanId,
    flags: span.flags,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: nanosJson(span.startTimeUnixNano),
    endTimeUnixNano: nanosJson(span.endTimeUnixNano),
    attributes: keyValuesJson(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map(eventJson),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map(linkJson),
    droppedLinksCount: span.droppedLinksCount,
    status: compact({ message: span.status.message, code: span.status.code }),
  });
}

function scopeJson(scope: DecodedScope): Json {
  return compact({
    name: scope.name,
    version: scope.version,
    attributes: keyValuesJson(scope.attributes),
    droppedAttributesCount: scope.droppedAttributesCount,
  });
}

function resourceJson(resource: DecodedResource): Json {
  return compact({
    attributes: keyValuesJson(resource.attributes),
    droppedAttributesCount: resource.droppedAttributesCount,
  });
}

/**
 * One `ExportTraceServiceRequest` as a single line of OTLP/JSON. Spans are
 * grouped under the resource and scope they were decoded with, in the order
 * first seen, so a decoded request is written back in its own layout.
 */
export function encodeTraceRequestJson(spans: readonly DecodedSpan[]): string {
  const byResource = new Map<DecodedResource, Map<DecodedScope, DecodedSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (byScope === undefined) byResource.set(span.resource, (byScope = new Map()));
    const scoped = byScope.get(span.scope);
    if (scoped === undefined) byScope.set(span.scope, [span]);
    else scoped.push(span);
  }
  const resourceSpans: Json[] = [];
  for (const [resource, byScope] of byResource) {
    const scopeSpans: Json[] = [];
    for (const [scope, scoped] of byScope) {
      scopeSpans.push(compact({ scope: scopeJson(scope), spans: scoped.map(spanJson), schemaUrl: scope.schemaUrl }));
    }
    resourceSpans.push(compact({ resource: resourceJson(resource), scopeSpans, schemaUrl: resource.schemaUrl }));
  }
  return JSON.stringify({ resourceSpans });
}
