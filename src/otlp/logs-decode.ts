import type { AttributeValue, Attributes } from '../model/span-record.ts';
import type { SpanRejection } from './decode-error.ts';
import { OtlpDecodeError, rejectionOf } from './decode-error.ts';
import { optionalBytesId, optionalHexId, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids.ts';
import { anyValueAt, arrayAt, attributesAt, isJsonObject, objectAt, stringAt, uint64At } from './json-values.ts';
import { FlatStringReader } from './flat-string-reader.ts';
import { anyValueOf, keyValues } from './protobuf-decode.ts';
import type { PbExportLogsServiceRequest, PbLogRecord } from './proto-schema.ts';
import { longToBigInt, ProtoTypes } from './proto-schema.ts';
import type { OtlpEncoding } from './responses.ts';

/**
 * One log record, as much of it as evaluation reads: the span it belongs to, its event name,
 * time, attributes and body. The request's bytes are what is forwarded; this is never
 * re-encoded, so nothing here has to keep what evaluation does not read.
 */
export interface DecodedLogRecord {
  readonly traceId?: string;
  readonly spanId?: string;
  /** The record's `eventName` field (empty when the writer put the name in an `event.name` attribute). */
  readonly eventName: string;
  readonly timeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly body?: AttributeValue;
}

export interface DecodedLogsRequest {
  readonly records: DecodedLogRecord[];
  /** Records that could not be read (ids of the wrong length, malformed values), each with why. */
  readonly rejected: SpanRejection[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes an `ExportLogsServiceRequest` (opentelemetry-proto logs/v1, REFERENCE.md "Logs").
 * Throws {@link OtlpDecodeError} when the body is not one at all; a record that cannot be read
 * is rejected alone. A record's time is its `timeUnixNano`, else `observedTimeUnixNano`.
 */
export function decodeLogsRequest(body: Uint8Array, encoding: OtlpEncoding): DecodedLogsRequest {
  return encoding === 'json' ? decodeLogsRequestJson(body) : decodeLogsRequestProtobuf(body);
}

export function decodeLogsRequestProtobuf(body: Uint8Array): DecodedLogsRequest {
  let request: PbExportLogsServiceRequest;
  try {
    request = ProtoTypes.ExportLogsServiceRequest.decode(new FlatStringReader(body)) as unknown as PbExportLogsServiceRequest;
  } catch (error) {
    throw new OtlpDecodeError('', `not a valid OTLP protobuf ExportLogsServiceRequest: ${(error as Error).message}`);
  }
  const records: DecodedLogRecord[] = [];
  const rejected: SpanRejection[] = [];
  request.resourceLogs.forEach((resourceLogs, r) => {
    resourceLogs.scopeLogs.forEach((scopeLogs, s) => {
      scopeLogs.logRecords.forEach((record, i) => {
        const path = `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]`;
        try {
          records.push(protobufRecord(record, path));
        } catch (error) {
          if (!(error instanceof OtlpDecodeError)) throw error;
          rejected.push(rejectionOf(error));
        }
      });
    });
  });
  return { records, rejected };
}

function protobufRecord(record: PbLogRecord, path: string): DecodedLogRecord {
  const traceId = optionalBytesId(record.traceId, TRACE_ID_BYTES, `${path}.traceId`);
  const spanId = optionalBytesId(record.spanId, SPAN_ID_BYTES, `${path}.spanId`);
  const time = longToBigInt(record.timeUnixNano, false);
  const decoded: { -readonly [K in keyof DecodedLogRecord]: DecodedLogRecord[K] } = {
    eventName: record.eventName,
    timeUnixNano: time === 0n ? longToBigInt(record.observedTimeUnixNano, false) : time,
    attributes: keyValues(record.attributes, `${path}.attributes`, undefined),
  };
  if (traceId !== undefined) decoded.traceId = traceId;
  if (spanId !== undefined) decoded.spanId = spanId;
  if (record.body !== undefined && record.body !== null) decoded.body = anyValueOf(record.body, path);
  return decoded;
}

export function decodeLogsRequestJson(body: string | Uint8Array): DecodedLogsRequest {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : utf8.decode(body));
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/, ".*" is not valid JSON$/s, '').slice(0, 200);
    throw new OtlpDecodeError('', `not valid JSON (${reason})`);
  }
  return decodeLogsRequestValue(json);
}

export function decodeLogsRequestValue(json: unknown): DecodedLogsRequest {
  if (!isJsonObject(json)) throw new OtlpDecodeError('', 'expected an ExportLogsServiceRequest object with "resourceLogs"');
  const records: DecodedLogRecord[] = [];
  const rejected: SpanRejection[] = [];
  const resourceLogs = arrayAt(json.resourceLogs, 'resourceLogs');
  resourceLogs.forEach((entry, r) => {
    const rlPath = `resourceLogs[${r}]`;
    const scopeLogs = arrayAt(objectAt(entry, rlPath)?.scopeLogs, `${rlPath}.scopeLogs`);
    scopeLogs.forEach((scope, s) => {
      const slPath = `${rlPath}.scopeLogs[${s}]`;
      const logRecords = arrayAt(objectAt(scope, slPath)?.logRecords, `${slPath}.logRecords`);
      logRecords.forEach((record, i) => {
        const path = `${slPath}.logRecords[${i}]`;
        try {
          records.push(jsonRecord(record, path));
        } catch (error) {
          if (!(error instanceof OtlpDecodeError)) throw error;
          rejected.push(rejectionOf(error));
        }
      });
    });
  });
  return { records, rejected };
}

function jsonRecord(json: unknown, path: string): DecodedLogRecord {
  const record = objectAt(json, path) ?? {};
  const time = uint64At(record.timeUnixNano, `${path}.timeUnixNano`);
  const decoded: { -readonly [K in keyof DecodedLogRecord]: DecodedLogRecord[K] } = {
    eventName: stringAt(record.eventName, `${path}.eventName`),
    timeUnixNano: time === 0n ? uint64At(record.observedTimeUnixNano, `${path}.observedTimeUnixNano`) : time,
    attributes: attributesAt(record.attributes, `${path}.attributes`),
  };
  const traceId = optionalHexId(record.traceId, TRACE_ID_BYTES, `${path}.traceId`);
  const spanId = optionalHexId(record.spanId, SPAN_ID_BYTES, `${path}.spanId`);
  if (traceId !== undefined) decoded.traceId = traceId;
  if (spanId !== undefined) decoded.spanId = spanId;
  if (record.body !== undefined && record.body !== null) decoded.body = anyValueAt(record.body, path);
  return decoded;
}
