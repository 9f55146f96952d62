import type { Attributes as ApiAttributes } from '@opentelemetry/api';
import { setEntry } from './attribute-tally.ts';

/**
 * A sequential (flat) copy of a string, exactly equal to it, code unit for code unit.
 *
 * Why: evaluation results carry strings built by concatenation (explanations quoting the reply),
 * i.e. V8 rope strings. Once the official protobuf serializer met those in its `charCodeAt`
 * loops, it serialized *every* span about three times slower for the rest of the process
 * (collector bench, checks phase: 60–90 µs/span instead of 22, the same after a second pass over
 * the same spans).
 *
 * How: V8 joins an array of two or more non-empty strings into one new sequential string (one-
 * or two-byte as the content needs): ~0.1–0.2 µs for an event's string, where the JSON round
 * trip used before took ~0.2–0.6 µs (these copies were ~8% of the collector pipeline's CPU; the
 * join cut that by about a third). A one-character string may come back as itself from a join,
 * so it still takes the JSON round trip. test/otlp/flat-strings.test.ts asks V8 itself
 * that the copies are sequential.
 */
export function flatString(text: string): string {
  if (text.length > 1) return [text.slice(0, 1), text.slice(1)].join('');
  return text.length === 0 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

export function flatValue(value: unknown): unknown {
  if (typeof value === 'string') return flatString(value);
  if (Array.isArray(value)) return value.map(flatValue);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setEntry(copy, key, flatValue((value as Record<string, unknown>)[key]));
    return copy;
  }
  return value;
}

/** Attributes someone else built (evaluation events), with every string value copied flat. */
export function withFlatStrings(attributes: ApiAttributes): ApiAttributes {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(attributes)) setEntry(copy, key, flatValue(attributes[key]));
  return copy as ApiAttributes;
}
