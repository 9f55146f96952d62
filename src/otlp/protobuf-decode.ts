import type { AttributeValue, Attributes } from '../model/span-record.ts';
import { AttributeTally, markIntegralDouble, MAX_ANY_VALUE_DEPTH, setEntry } from './attribute-tally.ts';
import type { SpanRejection } from './decode-error.ts';
import { OtlpDecodeError, rejectionOf } from './decode-error.ts';
import type { DecodedLink } from './decoded-span.ts';
import { DecodedEvent, DecodedResource, DecodedScope, DecodedSpan } from './decoded-span.ts';
import { FlatStringReader } from './flat-string-reader.ts';
import { bytesId, parentBytesId, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids.ts';
import type { AnyValueMember, PbAnyValue, PbExportTraceServiceRequest, PbKeyValue, PbLink, PbSpan } from './proto-schema.ts';
import { longToBigInt, ProtoTypes } from './proto-schema.ts';
import type { DecodedTraceRequest } from './span-fields.ts';
import { traceRequestLayout, type ResourceSpansLayout } from './wire/trace-request-layout.ts';
import { checkKind, checkStatusCode } from './span-fields.ts';

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

const MEMBERS: readonly AnyValueMember[] = ['stringValue', 'intValue', 'boolValue', 'doubleValue', 'kvlistValue', 'arrayValue', 'bytesValue'];

/**
 * The AnyValue member that is set: the only one of the seven the decoder made an own property.
 * Two set is refused, as the JSON decoder refuses it (protobuf would keep the last one on the
 * wire; no OTLP serializer writes two).
 */
function memberOf(value: PbAnyValue, path: string, key: string | number): AnyValueMember | undefined {
  let found: AnyValueMember | undefined;
  for (let i = 0; i < MEMBERS.length; i++) {
    if (!Object.hasOwn(value, MEMBERS[i])) continue;
    if (found !== undefined) {
      throw new OtlpDecodeError(`${path}${keyPath(key)}`, `an AnyValue with more than one member set (${found}, ${MEMBERS[i]})`);
    }
    found = MEMBERS[i];
  }
  return found;
}

const keyPath = (key: string | number) => (typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`);

function anyValue(
  value: PbAnyValue | null | undefined,
  path: string,
  container: object,
  key: string | number,
  tally: AttributeTally | undefined,
  depth: number,
): AttributeValue {
  if (value === null || value === undefined) return null;
  const field = memberOf(value, path, key);
  if (field === undefined) return null;
  if (tally !== undefined) tally.values++;
  switch (field) {
    case 'stringValue':
      tally?.text(value.stringValue!.length);
      return value.stringValue!;
    case 'boolValue':
      return value.boolValue!;
    case 'intValue': {
      const int = longToBigInt(value.intValue!, true);
      if (int >= SAFE_MIN && int <= SAFE_MAX) return Number(int);
      if (tally !== undefined) tally.hasBigInt = true;
      return int;
    }
    case 'doubleValue':
      if (Number.isInteger(value.doubleValue)) markIntegralDouble(container, key);
      return value.doubleValue!;
    case 'bytesValue':
      tally?.text(value.bytesValue!.length);
      return new Uint8Array(value.bytesValue!);
    default: {
      const fieldPath = `${path}${keyPath(key)}.${field}`;
      const valuePath = `${fieldPath}.values`;
      if (depth >= MAX_ANY_VALUE_DEPTH) {
        throw new OtlpDecodeError(fieldPath, `nested deeper than ${MAX_ANY_VALUE_DEPTH} levels of arrayValue / kvlistValue`);
      }
      if (field === 'kvlistValue') return keyValues(value.kvlistValue!.values, valuePath, tally, depth + 1);
      const values = value.arrayValue!.values;
      const array: AttributeValue[] = new Array(values.length);
      for (let i = 0; i < values.length; i++) array[i] = anyValue(values[i], valuePath, array, i, tally, depth + 1);
      return array;
    }
  }
}

/** One decoded AnyValue field (a log record's body), as the attribute readers hold values. */
export function anyValueOf(value: PbAnyValue | null | undefined, path: string): AttributeValue {
  const holder: Record<string, AttributeValue> = {};
  return anyValue(value, path, holder, 'body', undefined, 1);
}

export function keyValues(list: readonly PbKeyValue[], path: string, tally: AttributeTally | undefined, depth = 1): Attributes {
  const record: Record<string, AttributeValue> = {};
  for (const entry of list) setEntry(record, entry.key, anyValue(entry.value, path, record, entry.key, tally, depth));
  return record;
}

function linkOf(link: PbLink, path: string): DecodedLink {
  return {
    traceId: bytesId(link.traceId, TRACE_ID_BYTES, `${path}.traceId`),
    spanId: bytesId(link.spanId, SPAN_ID_BYTES, `${path}.spanId`),
    traceState: link.traceState,
    attributes: keyValues(link.attributes, `${path}.attributes`, undefined),
    droppedAttributesCount: link.droppedAttributesCount,
    flags: link.flags,
  };
}

function spanOf(span: PbSpan, path: string, resource: DecodedResource, scope: DecodedScope): DecodedSpan {
  const traceId = bytesId(span.traceId, TRACE_ID_BYTES, `${path}.traceId`);
  const spanId = bytesId(span.spanId, SPAN_ID_BYTES, `${path}.spanId`);
  const parentSpanId = parentBytesId(span.parentSpanId, `${path}.parentSpanId`);
  const code = checkStatusCode(span.status?.code ?? 0, `${path}.status.code`);
  const message = span.status?.message ?? '';
  const tally = new AttributeTally();
  return new DecodedSpan({
    traceId,
    spanId,
    // Always present (undefined for a root span): a spread here made V8 build every span's
    // init object on the slow path.
    parentSpanId,
    traceState: span.traceState,
    name: span.name,
    kind: checkKind(span.kind, `${path}.kind`),
    startTimeUnixNano: longToBigInt(span.startTimeUnixNano, false),
    endTimeUnixNano: longToBigInt(span.endTimeUnixNano, false),
    attributes: keyValues(span.attributes, `${path}.attributes`, tally),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map(
      (event, i) =>
        new DecodedEvent(
          event.name,
          longToBigInt(event.timeUnixNano, false),
          keyValues(event.attributes, `${path}.events[${i}].attributes`, undefined),
          event.droppedAttributesCount,
        ),
    ),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((link, i) => linkOf(link, `${path}.links[${i}]`)),
    droppedLinksCount: span.droppedLinksCount,
    status: message === '' ? { code } : { code, message },
    flags: span.flags,
    resource,
    scope,
    sizes: tally.sizes(),
  });
}

/** The request's byte layout, when it matches what protobufjs decoded span for span (else none is kept). */
function matchingLayout(body: Uint8Array, request: PbExportTraceServiceRequest): ResourceSpansLayout[] | undefined {
  const layout = traceRequestLayout(body);
  if (layout === undefined || layout.length !== request.resourceSpans.length) return undefined;
  for (let r = 0; r < layout.length; r++) {
    const scopes = request.resourceSpans[r].scopeSpans;
    if (layout[r].scopes.length !== scopes.length) return undefined;
    for (let s = 0; s < scopes.length; s++) if (layout[r].scopes[s].spans.length !== scopes[s].spans.length) return undefined;
  }
  return layout;
}

/**
 * Decodes a binary protobuf `ExportTraceServiceRequest`. Throws
 * {@link OtlpDecodeError} when the bytes are not one (truncated, wrong wire
 * types, nesting past protobufjs's limit); a bad span (ids, kind, values) is
 * rejected alone, listed in `rejected`. Paths use the OTLP/JSON field names.
 */
export function decodeTraceRequestProtobuf(body: Uint8Array): DecodedTraceRequest {
  let request: PbExportTraceServiceRequest;
  try {
    request = ProtoTypes.ExportTraceServiceRequest.decode(new FlatStringReader(body)) as unknown as PbExportTraceServiceRequest;
  } catch (error) {
    throw new OtlpDecodeError('', `not a valid OTLP protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  const spans: DecodedSpan[] = [];
  const rejected: SpanRejection[] = [];
  const layout = matchingLayout(body, request);
  request.resourceSpans.forEach((resourceSpans, r) => {
    const rsPath = `resourceSpans[${r}]`;
    const resource = new DecodedResource(
      keyValues(resourceSpans.resource?.attributes ?? [], `${rsPath}.resource.attributes`, undefined),
      resourceSpans.resource?.droppedAttributesCount ?? 0,
      resourceSpans.schemaUrl,
    );
    resource.keepReceivedHeader(layout?.[r].header);
    resourceSpans.scopeSpans.forEach((scopeSpans, s) => {
      const ssPath = `${rsPath}.scopeSpans[${s}]`;
      const scope = new DecodedScope({
        name: scopeSpans.scope?.name ?? '',
        version: scopeSpans.scope?.version ?? '',
        attributes: keyValues(scopeSpans.scope?.attributes ?? [], `${ssPath}.scope.attributes`, undefined),
        droppedAttributesCount: scopeSpans.scope?.droppedAttributesCount ?? 0,
        schemaUrl: scopeSpans.schemaUrl,
      });
      const scopeLayout = layout?.[r].scopes[s];
      scope.keepReceivedHeader(scopeLayout?.header);
      scopeSpans.spans.forEach((span, i) => {
        try {
          const decoded = spanOf(span, `${ssPath}.spans[${i}]`, resource, scope);
          if (scopeLayout) decoded.keepReceived(scopeLayout.spans[i]);
          spans.push(decoded);
        } catch (error) {
          if (!(error instanceof OtlpDecodeError)) throw error;
          rejected.push(rejectionOf(error));
        }
      });
    });
  });
  return { spans, rejected };
}
