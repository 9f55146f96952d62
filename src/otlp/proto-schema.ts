import { parse } from 'protobufjs';
import type { Type } from 'protobufjs';

/**
 * The OTLP trace messages we read and write, written from the field numbers in
 * opentelemetry-proto (trace/v1/trace.proto, common/v1/common.proto,
 * resource/v1/resource.proto, collector/trace/v1/trace_service.proto) and
 * google/rpc/status.proto. Only what a trace receiver needs; protobufjs skips
 * unknown fields, as proto3 requires.
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package tracejudge.otlp;

// common.proto declares these seven as \`oneof value\`. Here they are proto3 \`optional\` fields
// (the same wire format; a member set to its default value still reads as set): protobufjs's
// setter for a real oneof deletes the six other members on every value it decodes (measured: a
// fifth of decoding). protobuf-decode.ts finds the member that is set.
message AnyValue {
  optional string string_value = 1;
  optional bool bool_value = 2;
  optional int64 int_value = 3;
  optional double double_value = 4;
  optional ArrayValue array_value = 5;
  optional KeyValueList kvlist_value = 6;
  optional bytes bytes_value = 7;
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }

message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
  fixed32 flags = 16;
}
message Event {
  fixed64 time_unix_nano = 1;
  string name = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Link {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  repeated KeyValue attributes = 4;
  uint32 dropped_attributes_count = 5;
  fixed32 flags = 6;
}
message Status {
  string message = 2;
  int32 code = 3;
}

message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}

// opentelemetry-proto logs/v1/logs.proto and collector/logs/v1/logs_service.proto.
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

// google.rpc.Status; details (field 3, repeated Any) is never written.
message RpcStatus {
  int32 code = 1;
  string message = 2;
}
`;

const root = parse(OTLP_TRACE_PROTO).root;

function messageType(name: string): Type {
  return root.lookupType(`tracejudge.otlp.${name}`);
}

export const ProtoTypes = {
  ExportTraceServiceRequest: messageType('ExportTraceServiceRequest'),
  ExportTraceServiceResponse: messageType('ExportTraceServiceResponse'),
  RpcStatus: messageType('RpcStatus'),
  ExportLogsServiceRequest: messageType('ExportLogsServiceRequest'),
} as const;

/** protobufjs decodes 64-bit fields to `long` objects; this is their shape. */
export interface LongBits {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
}

/** The decoded message shapes (protobufjs camel-cases field names). */
export type AnyValueMember = 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
export interface PbAnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  readonly intValue?: LongBits | number;
  readonly doubleValue?: number;
  readonly arrayValue?: { readonly values: readonly PbAnyValue[] };
  readonly kvlistValue?: { readonly values: readonly PbKeyValue[] };
  readonly bytesValue?: Uint8Array;
}
export interface PbKeyValue {
  readonly key: string;
  readonly value?: PbAnyValue | null;
}
export interface PbEvent {
  readonly timeUnixNano: LongBits | number;
  readonly name: string;
  readonly attributes: readonly PbKeyValue[];
  readonly droppedAttributesCount: number;
}
export interface PbLink {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly traceState: string;
  readonly attributes: readonly PbKeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
}
export interface PbSpan {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly traceState: string;
  readonly parentSpanId: Uint8Array;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: LongBits | number;
  readonly endTimeUnixNano: LongBits | number;
  readonly attributes: readonly PbKeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly PbEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly PbLink[];
  readonly droppedLinksCount: number;
  readonly status?: { readonly message: string; readonly code: number } | null;
  readonly flags: number;
}
export interface PbScopeSpans {
  readonly scope?: {
    readonly name: string;
    readonly version: string;
    readonly attributes: readonly PbKeyValue[];
    readonly droppedAttributesCount: number;
  } | null;
  readonly spans: readonly PbSpan[];
  readonly schemaUrl: string;
}
export interface PbResourceSpans {
  readonly resource?: { readonly attributes: readonly PbKeyValue[]; readonly droppedAttributesCount: number } | null;
  readonly scopeSpans: readonly PbScopeSpans[];
  readonly schemaUrl: string;
}
export interface PbExportTraceServiceRequest {
  readonly resourceSpans: readonly PbResourceSpans[];
}

export interface PbLogRecord {
  readonly timeUnixNano: LongBits | number;
  readonly observedTimeUnixNano: LongBits | number;
  readonly body?: PbAnyValue | null;
  readonly attributes: readonly PbKeyValue[];
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly eventName: string;
}
export interface PbExportLogsServiceRequest {
  readonly resourceLogs: readonly { readonly scopeLogs: readonly { readonly logRecords: readonly PbLogRecord[] }[] }[];
}

/** Exact unsigned / signed 64-bit value of a protobufjs long (never via a lossy double). */
export function longToBigInt(value: LongBits | number, signed: boolean): bigint {
  if (typeof value === 'number') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return signed ? BigInt.asIntN(64, bits) : bits;
}
