import { ProtoTypes } from './proto-schema.ts';

/** The two OTLP/HTTP body encodings (opentelemetry-proto docs/specification.md, "OTLP/HTTP"). */
export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

export interface PartialSuccess {
  readonly rejectedSpans: number;
  readonly errorMessage: string;
}

/**
 * `ExportTraceServiceResponse`. Without a partial success the body is empty
 * (protobuf) / `{}` (JSON): the spec says to leave `partial_success` unset
 * when everything was accepted.
 */
export function encodeExportTraceResponse(encoding: OtlpEncoding, partialSuccess?: PartialSuccess): Uint8Array {
  if (encoding === 'json') {
    const body =
      partialSuccess === undefined
        ? {}
        : {
            partialSuccess: {
              // int64 as a decimal string: protobuf's JSON mapping, as OTLP/JSON requires.
              rejectedSpans: String(partialSuccess.rejectedSpans),
              errorMessage: partialSuccess.errorMessage,
            },
          };
    return Buffer.from(JSON.stringify(body));
  }
  const message = ProtoTypes.ExportTraceServiceResponse.create(partialSuccess === undefined ? {} : { partialSuccess });
  return ProtoTypes.ExportTraceServiceResponse.encode(message).finish();
}

/**
 * `ExportLogsServiceResponse`: the same wire shape as the trace response (field 1 holds
 * `{rejected_log_records = 1, error_message = 2}`); in JSON the count is `rejectedLogRecords`.
 */
export function encodeExportLogsResponse(encoding: OtlpEncoding, partialSuccess?: PartialSuccess): Uint8Array {
  if (encoding === 'protobuf') return encodeExportTraceResponse(encoding, partialSuccess);
  const body =
    partialSuccess === undefined
      ? {}
      : { partialSuccess: { rejectedLogRecords: String(partialSuccess.rejectedSpans), errorMessage: partialSuccess.errorMessage } };
  return Buffer.from(JSON.stringify(body));
}

/** gRPC status codes used in `google.rpc.Status.code` (google/rpc/code.proto). */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  UNAUTHENTICATED: 16,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  INTERNAL: 13,
  UNIMPLEMENTED: 12,
} as const;

/** `google.rpc.Status` for a failed request (OTLP/HTTP "Failures"). */
export function encodeRpcStatus(encoding: OtlpEncoding, code: number, message: string): Uint8Array {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return ProtoTypes.RpcStatus.encode(ProtoTypes.RpcStatus.create({ code, message })).finish();
}

/** For tests and clients of our own: the protobuf response body back as plain values. */
export function decodeExportTraceResponseProtobuf(body: Uint8Array): { partialSuccess?: PartialSuccess } {
  const decoded = ProtoTypes.ExportTraceServiceResponse.toObject(ProtoTypes.ExportTraceServiceResponse.decode(body), {
    longs: Number,
  }) as { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } };
  if (decoded.partialSuccess === undefined) return {};
  return {
    partialSuccess: {
      rejectedSpans: decoded.partialSuccess.rejectedSpans ?? 0,
      errorMessage: decoded.partialSuccess.errorMessage ?? '',
    },
  };
}

export function decodeRpcStatusProtobuf(body: Uint8Array): { code: number; message: string } {
  const decoded = ProtoTypes.RpcStatus.toObject(ProtoTypes.RpcStatus.decode(body), { defaults: true }) as {
    code: number;
    message: string;
  };
  return { code: decoded.code, message: decoded.message };
}
