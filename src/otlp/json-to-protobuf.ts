import type { Type } from 'protobufjs';
import { OtlpDecodeError } from './decode-error.ts';
import { ProtoTypes } from './proto-schema.ts';

/**
 * An OTLP/JSON request re-encoded as OTLP protobuf, for an upstream that speaks only protobuf
 * (OTLP/gRPC): a logs request relayed from an HTTP/JSON sender, a batch persisted as JSON by an
 * earlier run. OTLP/JSON is proto3's JSON mapping except that trace and span ids are hex, not
 * base64 (spec, "JSON Protobuf Encoding"); everything else — lowerCamelCase names, 64-bit
 * integers as strings, enums as integers, bytes as base64 — protobufjs's `fromObject` reads as is.
 * The schema covers every field of trace.proto and logs.proto; unknown fields are skipped, as proto3 does.
 */
export function traceRequestJsonToProtobuf(json: Uint8Array | string): Uint8Array {
  return reencode(json, ProtoTypes.ExportTraceServiceRequest, 'trace');
}

export function logsRequestJsonToProtobuf(json: Uint8Array | string): Uint8Array {
  return reencode(json, ProtoTypes.ExportLogsServiceRequest, 'logs');
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function reencode(json: Uint8Array | string, type: Type, signal: string): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8'));
  } catch (error) {
    throw new OtlpDecodeError('', `the ${signal} request is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OtlpDecodeError('', `the ${signal} request is not a JSON object`);
  const message = type.fromObject(withBinaryIds(value, '') as Record<string, unknown>);
  return type.encode(message).finish();
}

/** A copy with every hex id as bytes, so `fromObject` does not read it as base64. */
function withBinaryIds(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item, index) => withBinaryIds(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (ID_FIELDS.has(key) && typeof field === 'string') {
      if (!HEX.test(field)) throw new OtlpDecodeError(at, `expected a hex id, got ${JSON.stringify(field.slice(0, 40))}`);
      copy[key] = Buffer.from(field, 'hex');
    } else copy[key] = withBinaryIds(field, at);
  }
  return copy;
}
