import protobuf from 'protobufjs';

/**
 * `google.rpc.Status` with a `google.rpc.RetryInfo` detail, the throttling answer of OTLP/gRPC
 * (spec, "OTLP/gRPC Throttling"): written by the gRPC receiver, read by the gRPC forwarder, in
 * the `grpc-status-details-bin` trailer. Field numbers from google/rpc/status.proto,
 * google/rpc/error_details.proto and google/protobuf/{any,duration}.proto.
 */

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** `Status { code, message, details: [Any(RetryInfo { retry_delay: { seconds } })] }`. */
export function retryInfoStatus(code: number, message: string, seconds: number): Buffer {
  const duration = protobuf.Writer.create().uint32(8).int64(seconds).finish();
  const retryInfo = protobuf.Writer.create().uint32(10).bytes(duration).finish();
  const any = protobuf.Writer.create().uint32(10).string(RETRY_INFO_TYPE).uint32(18).bytes(retryInfo).finish();
  return Buffer.from(protobuf.Writer.create().uint32(8).int32(code).uint32(18).string(message).uint32(26).bytes(any).finish());
}

/** The RetryInfo delay of a `grpc-status-details-bin` value, in ms; undefined when it has none or does not parse. */
export function retryDelayMsOf(statusDetails: Uint8Array): number | undefined {
  try {
    for (const detail of fields(statusDetails, 3)) {
      let type = '';
      let value: Uint8Array | undefined;
      const reader = protobuf.Reader.create(detail);
      while (reader.pos < reader.len) {
        const tag = reader.uint32();
        if (tag >>> 3 === 1 && (tag & 7) === 2) type = reader.string();
        else if (tag >>> 3 === 2 && (tag & 7) === 2) value = reader.bytes();
        else reader.skipType(tag & 7);
      }
      if (type !== RETRY_INFO_TYPE || value === undefined) continue;
      const [duration] = fields(value, 1);
      if (duration === undefined) return 0;
      let seconds = 0;
      let nanos = 0;
      const at = protobuf.Reader.create(duration);
      while (at.pos < at.len) {
        const tag = at.uint32();
        if (tag >>> 3 === 1 && (tag & 7) === 0) seconds = Number(at.int64());
        else if (tag >>> 3 === 2 && (tag & 7) === 0) nanos = at.int32();
        else at.skipType(tag & 7);
      }
      return Math.max(0, seconds * 1000 + Math.round(nanos / 1e6));
    }
  } catch {
    // A malformed trailer is no retry hint: the caller backs off on its own.
  }
  return undefined;
}

/** Every length-delimited value of field `number` in a message. */
function fields(message: Uint8Array, number: number): Uint8Array[] {
  const found: Uint8Array[] = [];
  const reader = protobuf.Reader.create(message);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === number && (tag & 7) === 2) found.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  return found;
}
