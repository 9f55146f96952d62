import { AttributeTally } from './attribute-tally.ts';
import type { SpanRejection } from './decode-error.ts';
import { describeJson, OtlpDecodeError, rejectionOf } from './decode-error.ts';
import type { DecodedLink } from './decoded-span.ts';
import { DecodedEvent, DecodedResource, DecodedScope, DecodedSpan } from './decoded-span.ts';
import { hexId, parentHexId, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids.ts';
import type { JsonObject } from './json-values.ts';
import {
  arrayAt,
  attributesAt,
  enumAt,
  isJsonObject,
  objectAt,
  stringAt,
  uint32At,
  uint64At,
} from './json-values.ts';
import type { DecodedTraceRequest } from './span-fields.ts';
import { checkStatusCode, SPAN_KIND_NAMES, STATUS_CODE_NAMES } from './span-fields.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** V8 quotes a stretch of the input after its reason; keep the reason only (it may be personal data). */
function jsonReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, ".*" is not valid JSON$/s, '').slice(0, 200);
}

/** A key in snake_case is not OTLP/JSON (spec: "lowerCamelCase"); say so instead of just "missing". */
function snakeCaseHint(object: JsonObject, camel: string): string {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake in object ? ` (found "${snake}": OTLP/JSON keys are lowerCamelCase)` : '';
}

function idAt(object: JsonObject, field: string, bytes: number, path: string): string {
  const value = object[field];
  if (value === undefined || value === null) {
    throw new OtlpDecodeError(`${path}.${field}`, `missing${snakeCaseHint(object, field)}`);
  }
  return hexId(value, bytes, `${path}.${field}`);
}

function eventOf(json: unknown, path: string): DecodedEvent {
  const event = objectAt(json, path) ?? {};
  return new DecodedEvent(
    stringAt(event.name, `${path}.name`),
    uint64At(event.timeUnixNano, `${path}.timeUnixNano`),
    attributesAt(event.attributes, `${path}.attributes`),
    uint32At(event.droppedAttributesCount, `${path}.droppedAttributesCount`),
  );
}

function linkOf(json: unknown, path: string): DecodedLink {
  const link = objectAt(json, path) ?? {};
  return {
    traceId: idAt(link, 'traceId', TRACE_ID_BYTES, path),
    spanId: idAt(link, 'spanId', SPAN_ID_BYTES, path),
    traceState: stringAt(link.traceState, `${path}.traceState`),
    attributes: attributesAt(link.attributes, `${path}.attributes`),
    droppedAttributesCount: uint32At(link.droppedAttributesCount, `${path}.droppedAttributesCount`),
    flags: uint32At(link.flags, `${path}.flags`),
  };
}

function spanOf(json: unknown, path: string, resource: DecodedResource, scope: DecodedScope): DecodedSpan {
  if (!isJsonObject(json)) throw new OtlpDecodeError(path, `expected a span object, got ${describeJson(json)}`);
  const traceId = idAt(json, 'traceId', TRACE_ID_BYTES, path);
  const spanId = idAt(json, 'spanId', SPAN_ID_BYTES, path);
  const status = objectAt(json.status, `${path}.status`) ?? {};
  const code = checkStatusCode(enumAt(status.code, STATUS_CODE_NAMES, `${path}.status.code`), `${path}.status.code`);
  const message = stringAt(status.message, `${path}.status.message`);
  const tally = new AttributeTally();
  const attributes = attributesAt(json.attributes, `${path}.attributes`, tally);
  const parentSpanId = parentHexId(json.parentSpanId, `${path}.parentSpanId`);
  return new DecodedSpan({
    traceId,
    spanId,
    parentSpanId, // undefined for a root span, as in protobuf-decode.ts (no spread: V8's slow path)
    traceState: stringAt(json.traceState, `${path}.traceState`),
    name: stringAt(json.name, `${path}.name`),
    kind: enumAt(json.kind, SPAN_KIND_NAMES, `${path}.kind`),
    startTimeUnixNano: uint64At(json.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endTimeUnixNano: uint64At(json.endTimeUnixNano, `${path}.endTimeUnixNano`),
    attributes,
    droppedAttributesCount: uint32At(json.droppedAttributesCount, `${path}.droppedAttributesCount`),
    events: arrayAt(json.events, `${path}.events`).map((event, i) => eventOf(event, `${path}.events[${i}]`)),
    droppedEventsCount: uint32At(json.droppedEventsCount, `${path}.droppedEventsCount`),
    links: arrayAt(json.links, `${path}.links`).map((link, i) => linkOf(link, `${path}.links[${i}]`)),
    droppedLinksCount: uint32At(json.droppedLinksCount, `${path}.droppedLinksCount`),
    status: message === '' ? { code } : { code, message },
    flags: uint32At(json.flags, `${path}.flags`),
    resource,
    scope,
    sizes: tally.sizes(),
  });
}

function scopeOf(scopeSpans: JsonObject, path: string): DecodedScope {
  const scope = objectAt(scopeSpans.scope, `${path}.scope`) ?? {};
  return new DecodedScope({
    name: stringAt(scope.name, `${path}.scope.name`),
    version: stringAt(scope.version, `${path}.scope.version`),
    attributes: attributesAt(scope.attributes, `${path}.scope.attributes`),
    droppedAttributesCount: uint32At(scope.droppedAttributesCount, `${path}.scope.droppedAttributesCount`),
    schemaUrl: stringAt(scopeSpans.schemaUrl, `${path}.schemaUrl`),
  });
}

function resourceOf(resourceSpans: JsonObject, path: string): DecodedResource {
  const resource = objectAt(resourceSpans.resource, `${path}.resource`) ?? {};
  return new DecodedResource(
    attributesAt(resource.attributes, `${path}.resource.attributes`),
    uint32At(resource.droppedAttributesCount, `${path}.resource.droppedAttributesCount`),
    stringAt(resourceSpans.schemaUrl, `${path}.schemaUrl`),
  );
}

/** An already parsed OTLP/JSON `ExportTraceServiceRequest`. */
export function decodeTraceRequestValue(json: unknown): DecodedTraceRequest {
  const request = objectAt(json, '(request)') ?? {};
  const spans: DecodedSpan[] = [];
  const rejected: SpanRejection[] = [];
  const resourceSpansList = arrayAt(request.resourceSpans, 'resourceSpans');
  for (let r = 0; r < resourceSpansList.length; r++) {
    const rsPath = `resourceSpans[${r}]`;
    const resourceSpans = objectAt(resourceSpansList[r], rsPath) ?? {};
    const resource = resourceOf(resourceSpans, rsPath);
    const scopeSpansList = arrayAt(resourceSpans.scopeSpans, `${rsPath}.scopeSpans`);
    for (let s = 0; s < scopeSpansList.length; s++) {
      const ssPath = `${rsPath}.scopeSpans[${s}]`;
      const scopeSpans = objectAt(scopeSpansList[s], ssPath) ?? {};
      const scope = scopeOf(scopeSpans, ssPath);
      const spanList = arrayAt(scopeSpans.spans, `${ssPath}.spans`);
      for (let i = 0; i < spanList.length; i++) {
        try {
          spans.push(spanOf(spanList[i], `${ssPath}.spans[${i}]`, resource, scope));
        } catch (error) {
          // A bad value inside one span costs that span only (OTLP partial success).
          if (!(error instanceof OtlpDecodeError)) throw error;
          rejected.push(rejectionOf(error));
        }
      }
    }
  }
  return { spans, rejected };
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest`. An empty body is an empty
 * request. Throws {@link OtlpDecodeError} when the request as a whole is
 * unusable (not JSON, wrong structure outside spans); a bad span is rejected
 * alone, listed in `rejected`.
 */
export function decodeTraceRequestJson(body: string | Uint8Array): DecodedTraceRequest {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = utf8.decode(body);
    } catch {
      throw new OtlpDecodeError('', 'not valid UTF-8 (OTLP/JSON bodies are UTF-8 JSON)');
    }
  }
  if (text.trim() === '') return { spans: [], rejected: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError('', `not valid JSON: ${jsonReason(error)}`);
  }
  return decodeTraceRequestValue(json);
}
