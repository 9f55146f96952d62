/**
 * A growable protobuf writer for the few fields the forwarder appends to spans it received
 * (events, attributes). Length-delimited fields reserve one byte for their length and shift the
 * content when it needs more, as the official OTLP writer does: appended messages are small.
 */
export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const UTF8 = new TextEncoder();

export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  if (value < 0x800000000) return 5;
  let size = 5;
  for (let rest = Math.floor(value / 0x800000000); rest > 0; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

export class ByteWriter {
  buffer: Uint8Array;
  pos = 0;
  #view: DataView;

  constructor(initialSize = 4096) {
    this.buffer = new Uint8Array(initialSize);
    this.#view = new DataView(this.buffer.buffer);
  }

  /** Starts over, keeping the buffer (the bytes written before are overwritten). */
  reset(): void {
    this.pos = 0;
  }

  ensure(more: number): void {
    const needed = this.pos + more;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
    this.#view = new DataView(grown.buffer);
  }

  tag(field: number, wireType: WireType): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative integer up to 2^53. */
  varint(value: number): void {
    this.ensure(10);
    const buffer = this.buffer;
    let pos = this.pos;
    while (value > 0x7fffffff) {
      buffer[pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    while (value > 0x7f) {
      buffer[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[pos++] = value;
    this.pos = pos;
  }

  /** int64 as protobuf writes it: negative values as their 64-bit two's complement (10 bytes). */
  int64(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) return this.varint(value);
    let rest = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (rest > 0x7fn) {
      this.buffer[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.pos++] = Number(rest);
  }

  fixed64(value: bigint): void {
    this.ensure(8);
    this.#view.setBigUint64(this.pos, BigInt.asUintN(64, value), true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  string(value: string): void {
    // At most 3 bytes per UTF-16 unit; the length is known only after encoding.
    const start = this.startLengthDelimited();
    this.ensure(value.length * 3);
    const { written } = UTF8.encodeInto(value, this.buffer.subarray(this.pos));
    this.pos += written;
    this.finishLengthDelimited(start);
  }

  bytes(value: Uint8Array): void {
    this.varint(value.byteLength);
    this.raw(value);
  }

  /** Bytes copied as they are (already encoded fields). */
  raw(value: Uint8Array): void {
    this.ensure(value.byteLength);
    this.buffer.set(value, this.pos);
    this.pos += value.byteLength;
  }

  /** Reserves the length byte of a length-delimited field; pass the result to {@link finishLengthDelimited}. */
  startLengthDelimited(): number {
    this.ensure(1);
    return this.pos++;
  }

  finishLengthDelimited(start: number): void {
    const length = this.pos - start - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buffer.copyWithin(start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    let pos = start;
    let rest = length;
    while (rest > 0x7f) {
      this.buffer[pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[pos] = rest;
  }
}

/** Writes `value` as a varint at `pos` of `buffer`; returns the position after it. */
export function putVarint(buffer: Uint8Array, pos: number, value: number): number {
  while (value > 0x7f) {
    buffer[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buffer[pos++] = value;
  return pos;
}
