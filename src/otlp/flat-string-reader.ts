import { BufferReader } from 'protobufjs';

// Strict, as protobufjs's own `stringVerify`: proto3 strings must be valid UTF-8 (a bad byte
// makes the request undecodable, answered 400, as before).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const NATIVE_DECODE_MIN_BYTES = 64;

/** Node's Buffer has it (what `toString('latin1', …)` calls after checking its arguments). */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

/**
 * A protobufjs reader whose strings come out as flat V8 strings.
 *
 * protobufjs builds strings under 64 bytes by `+=` of `String.fromCharCode` chunks, i.e. rope
 * (cons) strings. Every span's keys, names and short values are such strings, and the official
 * serializer walks each one with `charCodeAt` three times (size estimate, ASCII test, copy):
 * measured on the collector bench's spans, serializing freshly decoded spans took 26–28 µs per
 * span against 13–15 µs with flat strings, and decoding got no slower. ASCII (nearly every
 * attribute key and id-like value) is sliced directly; anything else goes through the strict
 * decoder, which throws on invalid UTF-8 like protobufjs's does.
 */
export class FlatStringReader extends BufferReader {
  declare buf: Buffer;

  constructor(body: Uint8Array) {
    super(Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  }

  override stringVerify(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    const buf = this.buf;
    // Long strings: one native pass (validates and builds a flat string). Short ones (keys,
    // names, ids): the call overhead dominates, so test for ASCII here and slice.
    if (length >= NATIVE_DECODE_MIN_BYTES) return strictUtf8.decode(buf.subarray(start, end));
    for (let i = start; i < end; i++) {
      if (buf[i] > 0x7f) return strictUtf8.decode(buf.subarray(start, end));
    }
    return (buf as unknown as Latin1Slicer).latin1Slice(start, end);
  }
}
