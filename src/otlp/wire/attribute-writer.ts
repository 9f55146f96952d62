import { ByteWriter, WireType } from './byte-writer.ts';

// common.proto: AnyValue members and KeyValue fields.
const STRING_VALUE = 1;
const BOOL_VALUE = 2;
const INT_VALUE = 3;
const DOUBLE_VALUE = 4;
const ARRAY_VALUE = 5;
const KVLIST_VALUE = 6;
const BYTES_VALUE = 7;
const KEY = 1;
const VALUE = 2;
const VALUES = 1;

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/**
 * An attribute value as AnyValue, by the rules of the official OTLP serializer
 * (otlp-transformer's writeAnyValue), so a field we append reads as the one it would have written:
 * integral numbers in int64 range as `int_value`, other numbers as `double_value`; nothing for
 * `null`/`undefined` (an empty AnyValue).
 */
export function writeAnyValue(writer: ByteWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.tag(STRING_VALUE, WireType.LengthDelimited);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag(BOOL_VALUE, WireType.Varint);
      writer.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        writer.tag(INT_VALUE, WireType.Varint);
        writer.int64(value);
      } else {
        writer.tag(DOUBLE_VALUE, WireType.Fixed64);
        writer.double(value);
      }
      return;
    case 'bigint':
      writer.tag(INT_VALUE, WireType.Varint);
      writer.int64(value);
      return;
    case 'object': {
      if (value === null) return;
      if (value instanceof Uint8Array) {
        writer.tag(BYTES_VALUE, WireType.LengthDelimited);
        writer.bytes(value);
        return;
      }
      if (Array.isArray(value)) {
        writer.tag(ARRAY_VALUE, WireType.LengthDelimited);
        const list = writer.startLengthDelimited();
        for (const item of value) {
          writer.tag(VALUES, WireType.LengthDelimited);
          const entry = writer.startLengthDelimited();
          writeAnyValue(writer, item);
          writer.finishLengthDelimited(entry);
        }
        writer.finishLengthDelimited(list);
        return;
      }
      writer.tag(KVLIST_VALUE, WireType.LengthDelimited);
      const list = writer.startLengthDelimited();
      writeKeyValues(writer, VALUES, value as Record<string, unknown>);
      writer.finishLengthDelimited(list);
      return;
    }
    default:
      return;
  }
}

/** One `KeyValue` field numbered `field`. */
export function writeKeyValue(writer: ByteWriter, field: number, key: string, value: unknown): void {
  writer.tag(field, WireType.LengthDelimited);
  const entry = writer.startLengthDelimited();
  writer.tag(KEY, WireType.LengthDelimited);
  writer.string(key);
  writer.tag(VALUE, WireType.LengthDelimited);
  const anyValue = writer.startLengthDelimited();
  writeAnyValue(writer, value);
  writer.finishLengthDelimited(anyValue);
  writer.finishLengthDelimited(entry);
}

/** Every own attribute as a repeated `KeyValue` field numbered `field`. */
export function writeKeyValues(writer: ByteWriter, field: number, attributes: Readonly<Record<string, unknown>>): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributes[key];
    if (value === undefined) continue;
    writeKeyValue(writer, field, key, value);
  }
}
