import { parse, Reader } from 'protobufjs';

/**
 * The trace messages with every field of opentelemetry-proto's trace.proto / common.proto /
 * resource.proto (field numbers and types as there, AnyValue a real oneof), plus fields no OTLP
 * version has (`future_*`), which a receiver must carry as unknown fields.
 */
const root = parse(`
syntax = "proto3";
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; string future_resource_field = 98; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; uint64 future_scope_field = 97; }
message Status { string message = 2; int32 code = 3; }
message Span {
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  repeated Event events = 11; uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
  string future_span_field = 99;
}
`).root;
export const Request = root.lookupType('ExportTraceServiceRequest');

export type Plain = Record<string, any>;
const toPlain = (bytes: Uint8Array): Plain => Request.toObject(Request.decode(bytes), { longs: String, bytes: String, defaults: false });
const hexOf = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

/** Every span of a request with its resource and scope, by span id (hex). */
export function spansById(bytes: Uint8Array): Map<string, { span: Plain; resource: Plain; scope: Plain }> {
  const out = new Map<string, { span: Plain; resource: Plain; scope: Plain }>();
  for (const rs of toPlain(bytes).resourceSpans ?? []) {
    const { scopeSpans, ...resource } = rs;
    for (const ss of scopeSpans ?? []) {
      const { spans, ...scope } = ss;
      for (const span of spans ?? []) out.set(hexOf(span.spanId), { span, resource, scope });
    }
  }
  return out;
}

/** The payloads of every length-delimited field `field` in `bytes` (protobufjs's reader). */
function children(bytes: Uint8Array, field: number): Uint8Array[] {
  const reader = Reader.create(bytes);
  const out: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === 2) out.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  return out;
}

/** The spans' message bytes in a request, by span id (hex). */
export function spanBytes(bytes: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const resourceSpans of children(bytes, 1)) {
    for (const scopeSpans of children(resourceSpans, 2)) {
      for (const span of children(scopeSpans, 2)) out.set(Buffer.from(children(span, 2)[0]).toString('hex'), span);
    }
  }
  return out;
}

/** The field numbers of a run of protobuf fields (each tag, then its payload skipped). */
export function fieldNumbers(bytes: Uint8Array): number[] {
  const r = Reader.create(bytes);
  const fields: number[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    fields.push(tag >>> 3);
    r.skipType(tag & 7);
  }
  return fields;
}

