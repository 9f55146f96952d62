/** OTLP trace codec: requests in (JSON, protobuf), requests out (JSON), responses out (both). */
import { decodeTraceRequestJson } from './json-decode.ts';
import { decodeTraceRequestProtobuf } from './protobuf-decode.ts';
import type { OtlpEncoding } from './responses.ts';
import type { DecodedTraceRequest } from './span-fields.ts';

export { MAX_ANY_VALUE_DEPTH } from './attribute-tally.ts';
export { OtlpDecodeError } from './decode-error.ts';
export type { SpanRejection } from './decode-error.ts';
export { DecodedEvent, DecodedResource, DecodedScope, DecodedSpan, nanosToHrTime } from './decoded-span.ts';
export type { AttributeSizes, DecodedLink, DecodedScopeInit, DecodedSpanInit } from './decoded-span.ts';
export { decodeTraceRequestJson, decodeTraceRequestValue } from './json-decode.ts';
export { flatString, flatValue, withFlatStrings } from './flat-strings.ts';
export { encodeTraceRequestJson } from './json-encode.ts';
export { encodeTraceRequest } from './wire/trace-request-encoder.ts';
export { decodeTraceRequestProtobuf } from './protobuf-decode.ts';
export { OtlpReadableSpan } from './readable-span.ts';
export { decodeLogsRequest, decodeLogsRequestJson, decodeLogsRequestProtobuf, decodeLogsRequestValue } from './logs-decode.ts';
export type { DecodedLogRecord, DecodedLogsRequest } from './logs-decode.ts';
export { genAIContentOf } from './span-log-join.ts';
export { retryDelayMsOf, retryInfoStatus } from './grpc-status.ts';
export { logsRequestJsonToProtobuf, traceRequestJsonToProtobuf } from './json-to-protobuf.ts';
export {
  CONTENT_TYPES,
  decodeExportTraceResponseProtobuf,
  decodeRpcStatusProtobuf,
  encodeExportLogsResponse,
  encodeExportTraceResponse,
  encodeRpcStatus,
  RpcCode,
} from './responses.ts';
export type { OtlpEncoding, PartialSuccess } from './responses.ts';
export type { DecodedTraceRequest } from './span-fields.ts';

export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): DecodedTraceRequest {
  return encoding === 'json' ? decodeTraceRequestJson(body) : decodeTraceRequestProtobuf(body);
}
