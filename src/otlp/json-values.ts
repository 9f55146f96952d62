import type { AttributeValue, Attributes } from '../model/span-record.ts';
import type { AttributeTally } from './attribute-tally.ts';
import { markIntegralDouble, MAX_ANY_VALUE_DEPTH, setEntry } from './attribute-tally.ts';
import { describeJson, OtlpDecodeError } from './decode-error.ts';

/**
 * Scalars and AnyValue in OTLP/JSON (opentelemetry-proto docs/specification.md,
 * "JSON Protobuf Encoding"): protobuf's JSON mapping with hex ids, integer
 * enums, lowerCamelCase keys; 64-bit integers as decimal strings (numbers
 * accepted); `null` means the field is absent.
 */

export type JsonObject = { readonly [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new OtlpDecodeError(path, `expected an object, got ${describeJson(value)}`);
  return value;
}

export function arrayAt(value: unknown, path: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(path, `expected an array, got ${describeJson(value)}`);
  return value;
}

export function stringAt(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OtlpDecodeError(path, `expected a string, got ${describeJson(value)}`);
  return value;
}

const UNSIGNED = /^\d{1,20}$/;
const SIGNED = /^-?\d{1,19}$/;
const MAX_UINT64 = (1n << 64n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

/** fixed64 / uint64 (times): exact, as bigint. */
export function uint64At(value: unknown, path: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && UNSIGNED.test(value)) {
    const parsed = BigInt(value);
    if (parsed <= MAX_UINT64) return parsed;
  }
  throw new OtlpDecodeError(path, `expected an unsigned 64-bit integer (decimal string or number), got ${describeJson(value)}`);
}

/** uint32 / fixed32 (counts, flags). */
export function uint32At(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  const parsed = typeof value === 'string' && UNSIGNED.test(value) ? Number(value) : value;
  if (typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= 0 && parsed <= 0xffffffff) return parsed;
  throw new OtlpDecodeError(path, `expected an unsigned 32-bit integer, got ${describeJson(value)}`);
}

/** int64: a number when exact in a double, else a bigint. */
export function int64At(value: unknown, path: string): number | bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && SIGNED.test(value)) {
    const parsed = BigInt(value);
    if (parsed >= MIN_INT64 && parsed <= MAX_INT64) {
      return parsed >= BigInt(Number.MIN_SAFE_INTEGER) && parsed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(parsed) : parsed;
    }
  }
  throw new OtlpDecodeError(path, `expected a 64-bit integer (decimal string or number), got ${describeJson(value)}`);
}

const SPECIAL_DOUBLES: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** double: a number, or the strings protobuf's JSON mapping uses for NaN / ±Infinity and numeric strings. */
export function doubleAt(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const special = SPECIAL_DOUBLES[value];
    if (special !== undefined) return special;
    const parsed = value.trim() === '' ? NaN : Number(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new OtlpDecodeError(path, `expected a double, got ${describeJson(value)}`);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function base64At(value: unknown, path: string): Uint8Array {
  if (typeof value === 'string' && BASE64.test(value) && value.replace(/=+$/, '').length % 4 !== 1) {
    return new Uint8Array(Buffer.from(value, 'base64'));
  }
  throw new OtlpDecodeError(path, `expected base64 bytes, got ${describeJson(value)}`);
}

/** An enum given as its number or, tolerated, its proto name (`"SPAN_KIND_SERVER"`). */
export function enumAt(value: unknown, names: readonly string[], path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    if (index >= 0) return index;
  }
  throw new OtlpDecodeError(
    path,
    `expected an integer 0..${names.length - 1} or a name such as "${names[1]}", got ${describeJson(value)}`,
  );
}

function segment(key: string | number): string {
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

const ANY_VALUE_FIELDS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue']);

/**
 * One AnyValue. `container[key]` is where the caller stores it (used to mark
 * integral doubles); errors name `parentPath` + the key.
 */
function anyValue(
  json: unknown,
  parentPath: string,
  container: object,
  key: string | number,
  tally: AttributeTally | undefined,
  depth: number,
): AttributeValue {
  if (json === undefined || json === null) return null;
  if (!isJsonObject(json)) {
    throw new OtlpDecodeError(
      parentPath + segment(key),
      `expected an AnyValue object such as {"stringValue": "…"}, got ${describeJson(json)}`,
    );
  }
  let field: string | undefined;
  for (const name in json) {
    if (!ANY_VALUE_FIELDS.has(name) || json[name] === null) continue;
    if (field !== undefined) {
      throw new OtlpDecodeError(parentPath + segment(key), `AnyValue sets both ${field} and ${name}; a oneof holds one`);
    }
    field = name;
  }
  if (field === undefined) return null; // An empty AnyValue is valid (spec: "empty value").
  if (tally !== undefined) tally.values++;
  const raw = json[field];
  const path = () => `${parentPath}${segment(key)}.${field}`;
  switch (field) {
    case 'stringValue':
      if (typeof raw !== 'string') throw new OtlpDecodeError(path(), `expected a string, got ${describeJson(raw)}`);
      tally?.text(raw.length);
      return raw;
    case 'boolValue':
      if (typeof raw !== 'boolean') throw new OtlpDecodeError(path(), `expected true or false, got ${describeJson(raw)}`);
      return raw;
    case 'intValue': {
      const parsed = int64At(raw, path());
      if (typeof parsed === 'bigint' && tally !== undefined) tally.hasBigInt = true;
      return parsed;
    }
    case 'doubleValue': {
      const parsed = doubleAt(raw, path());
      if (Number.isInteger(parsed)) markIntegralDouble(container, key);
      return parsed;
    }
    case 'bytesValue': {
      const bytes = base64At(raw, path());
      tally?.text(bytes.length);
      return bytes;
    }
    default: {
      if (depth >= MAX_ANY_VALUE_DEPTH) {
        throw new OtlpDecodeError(path(), `nested deeper than ${MAX_ANY_VALUE_DEPTH} levels of arrayValue / kvlistValue`);
      }
      const list = objectAt(raw, path());
      const valuesPath = `${path()}.values`;
      const values = arrayAt(list?.values, valuesPath);
      if (field === 'kvlistValue') return keyValues(values, valuesPath, tally, depth + 1);
      const array: AttributeValue[] = new Array(values.length);
      for (let i = 0; i < values.length; i++) array[i] = anyValue(values[i], valuesPath, array, i, tally, depth + 1);
      return array;
    }
  }
}

function keyValues(list: readonly unknown[], path: string, tally: AttributeTally | undefined, depth: number): Attributes {
  const record: Record<string, AttributeValue> = {};
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (!isJsonObject(entry)) {
      throw new OtlpDecodeError(`${path}[${i}]`, `expected a {"key", "value"} object, got ${describeJson(entry)}`);
    }
    const key = entry.key;
    if (typeof key !== 'string') throw new OtlpDecodeError(`${path}[${i}].key`, `expected a string, got ${describeJson(key)}`);
    setEntry(record, key, anyValue(entry.value, path, record, key, tally, depth));
  }
  return record;
}

/** A repeated KeyValue field (attributes) as a record; duplicate keys: the last wins. */
export function attributesAt(value: unknown, path: string, tally?: AttributeTally): Attributes {
  return keyValues(arrayAt(value, path), path, tally, 1);
}

/** One AnyValue field (a log record's body), as the attribute readers hold values. */
export function anyValueAt(value: unknown, path: string): AttributeValue {
  const holder: Record<string, AttributeValue> = {};
  return anyValue(value, path, holder, 'body', undefined, 1);
}
