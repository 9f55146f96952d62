import { describeJson, OtlpDecodeError } from './decode-error.ts';

/** Trace ids are 16 bytes, span ids 8 (W3C Trace Context; trace.proto). */
export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ALL_ZEROS = /^0+$/;

function base64Hint(text: string, bytes: number): string {
  // 16 bytes are 24 base64 characters with padding (22 without); 8 bytes are 12 (11).
  const padded = Math.ceil(bytes / 3) * 4;
  const looksBase64 = BASE64.test(text) && (text.length === padded || text.length === Math.ceil((bytes * 4) / 3));
  return looksBase64 ? ' (this looks like base64: OTLP/JSON ids are hex, opentelemetry-proto docs/specification.md)' : '';
}

/**
 * An id from OTLP/JSON: hex, case-insensitive, returned lowercase. Base64 ids
 * (protobuf's canonical JSON for bytes) are refused: the OTLP spec makes hex
 * the encoding and a guess could turn a wrong id into a plausible one.
 */
export function hexId(value: unknown, bytes: number, path: string): string {
  if (value === undefined || value === null) throw new OtlpDecodeError(path, 'missing');
  if (typeof value !== 'string') {
    throw new OtlpDecodeError(path, `expected ${bytes * 2} hex characters, got ${describeJson(value)}`);
  }
  if (value.length !== bytes * 2 || !HEX.test(value)) {
    throw new OtlpDecodeError(
      path,
      `expected ${bytes * 2} hex characters, got ${describeJson(value)}${base64Hint(value, bytes)}`,
    );
  }
  if (ALL_ZEROS.test(value)) throw new OtlpDecodeError(path, 'must not be all zeros (an invalid id, W3C Trace Context)');
  return value.toLowerCase();
}

/** An id from protobuf bytes, as lowercase hex. */
export function bytesId(value: Uint8Array, bytes: number, path: string): string {
  if (value.length === 0) throw new OtlpDecodeError(path, 'missing');
  if (value.length !== bytes) throw new OtlpDecodeError(path, `expected ${bytes} bytes, got ${value.length}`);
  // protobufjs's BufferReader hands out Buffers already; a plain Uint8Array gets a view.
  const hex = (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)).toString('hex');
  if (ALL_ZEROS.test(hex)) throw new OtlpDecodeError(path, 'must not be all zeros (an invalid id, W3C Trace Context)');
  return hex;
}

/**
 * A parent span id: empty means a root span (trace.proto). All zeros is read as
 * "no parent" too — unambiguous, and refusing the span would lose it.
 */
export function parentHexId(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && value.length === SPAN_ID_BYTES * 2 && ALL_ZEROS.test(value)) return undefined;
  return hexId(value, SPAN_ID_BYTES, path);
}

export function parentBytesId(value: Uint8Array, path: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length === SPAN_ID_BYTES && value.every((byte) => byte === 0)) return undefined;
  return bytesId(value, SPAN_ID_BYTES, path);
}

export function hexToBytes(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}

/** A log record's trace or span id (hex): optional, and empty or all zeros means none (logs.proto). */
export function optionalHexId(value: unknown, bytes: number, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && value.length === bytes * 2 && ALL_ZEROS.test(value)) return undefined;
  return hexId(value, bytes, path);
}

/** The same from protobuf bytes. */
export function optionalBytesId(value: Uint8Array, bytes: number, path: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length === bytes && value.every((byte) => byte === 0)) return undefined;
  return bytesId(value, bytes, path);
}
