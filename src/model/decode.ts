import type { AttributeValue } from './span-record.ts';

/**
 * Reading attribute values that may be wrong: every reader here notes what it
 * could not read in `problems` and returns what it could. Nothing throws —
 * normalization runs inline on every span (STYLE.md: telemetry never throws).
 */

/** 256 KiB of text per attribute: past that we keep the string but do not parse it. */
export const DEFAULT_MAX_ATTRIBUTE_CHARS = 256 * 1024;
/** Messages per attribute, parts per message: bounds the walk over structured values. */
export const DEFAULT_MAX_ITEMS = 1000;

export interface ReadContext {
  readonly problems: string[];
  readonly maxChars: number;
  readonly maxItems: number;
}

/** Returned when an attribute could not be read at all (JSON `null` is a value). */
export const UNREADABLE: unique symbol = Symbol('unreadable');

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'bytes';
  const type = typeof value;
  return type === 'object' ? 'map' : type;
}

/** Type and, for scalars, a short excerpt: enough to find the culprit, too short to leak content. */
export function describeValue(value: unknown): string {
  const type = describeType(value);
  if (type === 'string') return `string "${(value as string).slice(0, 40)}"`;
  if (type === 'number' || type === 'bigint' || type === 'boolean') return `${type} ${String(value)}`;
  return type;
}

export function isRecord(value: unknown): value is { readonly [key: string]: AttributeValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** V8 quotes the offending input in its message; keep the reason, not the content (it may be personal data). */
function jsonReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, ".*" is not valid JSON$/s, '').slice(0, 160);
}

/** Parses a JSON string attribute once, within the size limit. */
export function parseJson(name: string, text: string, ctx: ReadContext): unknown {
  if (text.length > ctx.maxChars) {
    ctx.problems.push(`${name}: ${text.length} characters exceeds the ${ctx.maxChars}-character parse limit; not read`);
    return UNREADABLE;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    ctx.problems.push(`${name}: not valid JSON (${jsonReason(error)})`);
    return UNREADABLE;
  }
}

/**
 * A value that is either a JSON string (SDK 2.x, primitives only) or already
 * structured (API 1.10 / SDK 3.x AnyValue maps and arrays, or decoded OTLP kvlist).
 */
export function decodeStructured(name: string, value: AttributeValue, ctx: ReadContext): unknown {
  // An empty string is how some writers say "no content": nothing to read, nothing wrong.
  if (typeof value === 'string') return value.length === 0 ? null : parseJson(name, value, ctx);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) return value;
  ctx.problems.push(`${name}: expected a JSON string or a structured value, got ${describeType(value)}`);
  return UNREADABLE;
}

function looksLikeJsonContainer(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b /* { */ || c === 0x5b /* [ */;
  }
  return false;
}

/**
 * Tool arguments and results (semconv: "objects, or JSON strings — decode best-effort").
 * Plain text stays text (and undefined stays undefined); text that looks like JSON
 * but is not keeps its raw form, with a note.
 */
export function decodeBestEffort(name: string, value: AttributeValue, ctx: ReadContext): unknown {
  if (typeof value !== 'string') return value;
  if (looksLikeJsonString(value)) return decodeJsonInJsonString(name, value, ctx);
  if (!looksLikeJsonContainer(value)) return value;
  const parsed = parseJson(name, value, ctx);
  return parsed === UNREADABLE ? value : parsed;
}

/** JSON strings holding JSON are unwrapped at most this many times (a bound on adversarial nesting). */
const MAX_JSON_IN_STRING = 4;

function looksLikeJsonString(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length >= 2 && trimmed.charCodeAt(0) === 0x22 && trimmed.charCodeAt(trimmed.length - 1) === 0x22;
}

/**
 * A JSON string whose content is JSON — how OpenLLMetry records a tool's output
 * (`"{\"service_fee_pct\": 12}"`): unwrapped, bounded, and decoded, so its facts keep their keys
 * (read as escaped text, a `12` under a percent key was taken for an amount). Text that only looks
 * like a quoted string stays as it is, without a note.
 */
function decodeJsonInJsonString(name: string, text: string, ctx: ReadContext): unknown {
  if (text.length > ctx.maxChars) return text;
  let current: unknown = text;
  for (let depth = 0; depth < MAX_JSON_IN_STRING && typeof current === 'string' && looksLikeJsonString(current); depth++) {
    try {
      current = JSON.parse(current);
    } catch {
      return depth === 0 ? text : current;
    }
  }
  if (typeof current === 'string' && looksLikeJsonContainer(current)) {
    const parsed = parseJson(name, current, ctx);
    return parsed === UNREADABLE ? current : parsed;
  }
  return current;
}

/** A string attribute; scalars are converted (with a note), anything else is dropped (with a note). */
export function readString(name: string, value: unknown, ctx: ReadContext): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    ctx.problems.push(`${name}: expected a string, got ${describeValue(value)}; read as "${String(value)}"`);
    return String(value);
  }
  ctx.problems.push(`${name}: expected a string, got ${describeValue(value)}; ignored`);
  return undefined;
}

/** A token count: a non-negative integer (int64 may arrive as bigint, or as a decimal string). */
export function readCount(name: string, value: unknown, ctx: ReadContext): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'bigint' && value >= 0n) return Number(value);
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    const count = Number(value);
    ctx.problems.push(`${name}: expected an integer, got ${describeValue(value)}; read as ${count}`);
    return count;
  }
  ctx.problems.push(`${name}: expected a non-negative integer, got ${describeValue(value)}; ignored`);
  return undefined;
}

/** Booleans may arrive as strings ("true") from some front doors. */
export function readBoolean(name: string, value: unknown, ctx: ReadContext): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  ctx.problems.push(`${name}: expected a boolean, got ${describeValue(value)}; ignored`);
  return undefined;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}

/** Text of any decoded value, for grounding and for display: strings as-is, the rest as compact JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value, jsonReplacer) ?? '';
  } catch {
    // Cycles cannot come from OTLP or the SDK's attribute copies, but user objects may hold them.
    return '';
  }
}
