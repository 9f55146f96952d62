import type { AttributeValue } from './span-record.ts';
import { decodeBestEffort, parseJson, textOf } from './decode.ts';
import type { ReadContext } from './decode.ts';

/**
 * Tool results the pipeline has just decoded, kept with the JSON text they came from.
 *
 * An agent's tool results travel twice: on the `execute_tool` span, and again inside the
 * next `chat` span's input messages, where the model reads them. The inline pipeline
 * decodes the tool span first (it ends first), so a few slots hold what it decoded; the
 * chat span's input then reuses them instead of parsing the same JSON again and
 * re-serializing it for grounding. Measured on the collector bench's agent turns, the
 * repeated parse and the re-serialization were ~⅓ of the chat span's evaluation.
 *
 * Slots, not a WeakMap keyed by the value: a WeakMap entry per tool result cost more
 * than the re-serialization it saved (ephemeron upkeep, measured in bench/processor-overhead.ts).
 */
const SLOTS = 8;
const slotValue: unknown[] = new Array(SLOTS).fill(undefined);
const slotJson: string[] = new Array(SLOTS).fill('');
let nextSlot = 0;

/** Shorter results are cheaper to parse again than to look for. */
const MIN_REUSED_CHARS = 64;

/**
 * A tool result, decoded as `decodeBestEffort` does; an object or array decoded from a JSON
 * string is kept with its string (see above). Text with escapes (`\u20ac` from Python's
 * `ensure_ascii`) is not kept: its re-serialized form spells the characters out, and that
 * is what the value scanners read.
 */
export function decodeToolResult(name: string, value: AttributeValue, ctx: ReadContext): unknown {
  const decoded = decodeBestEffort(name, value, ctx);
  if (decoded !== value && typeof decoded === 'object' && decoded !== null && (value as string).indexOf('\\') === -1) {
    slotValue[nextSlot] = decoded;
    slotJson[nextSlot] = value as string;
    nextSlot = (nextSlot + 1) % SLOTS;
  }
  return decoded;
}

/**
 * Text of a grounding value: the JSON a tool result was parsed from when it is still in a
 * slot, else `textOf` (which differs at most in whitespace and number spelling). Handing out
 * the very string the tool span grounded also lets the conversation's de-duplication find it
 * without hashing it again (V8 keeps a string's hash in the string).
 */
export function sourceTextOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    for (let i = 0; i < SLOTS; i++) if (slotValue[i] === value) return slotJson[i];
  }
  return textOf(value);
}

/** Where a tool answer's value starts in compact message JSON (semconv `response`, its examples' `result`). */
const RESPONSE_KEYS = ['"response":', '"result":'] as const;
/** Stands in for a known result while the rest is parsed; NUL cannot start a real tool answer's text. */
const PLACEHOLDER_PREFIX = '\u0000tracejudge-known-result:';
const PLACEHOLDER_JSON_PREFIX = '"\\u0000tracejudge-known-result:';

/**
 * Parses a messages JSON string as `parseJson` does, reusing the tool results in the
 * slots: each answer whose JSON text is exactly a kept result's text is swapped for a short
 * placeholder before parsing and for the kept value after. Exactness is checked, not
 * assumed — every placeholder must come back as the answer of a `tool_call_response` part,
 * or the text is parsed whole — so the result is what `JSON.parse` of the original gives
 * (the reused values are equal to what it would have built, and shared, as views are
 * read-only).
 */
export function parseMessagesJson(name: string, text: string, ctx: ReadContext): unknown {
  if (text.length > ctx.maxChars) return parseJson(name, text, ctx);
  const swaps = knownResultsIn(text);
  if (swaps === undefined) return parseJson(name, text, ctx);
  let shortened = '';
  let from = 0;
  for (let i = 0; i < swaps.length; i += 2) {
    shortened += text.slice(from, swaps[i]) + PLACEHOLDER_JSON_PREFIX + (i >> 1) + '"';
    from = swaps[i] + slotJson[swaps[i + 1]].length;
  }
  shortened += text.slice(from);
  let parsed: unknown;
  try {
    parsed = JSON.parse(shortened);
  } catch {
    // Whatever went wrong, the original's own parse reports it.
    return parseJson(name, text, ctx);
  }
  const values: unknown[] = [];
  for (let i = 1; i < swaps.length; i += 2) values.push(slotValue[swaps[i]]);
  return restoreKnownResults(parsed, values) ? parsed : parseJson(name, text, ctx);
}

/** Pairs (offset in `text`, slot) of answers that are a kept result's exact text, in order; undefined when none. */
function knownResultsIn(text: string): number[] | undefined {
  let swaps: number[] | undefined;
  // Where each key next occurs (−1: nowhere further); a key is searched for again only once passed.
  const next = RESPONSE_KEYS.map((key) => text.indexOf(key));
  let from = 0;
  for (;;) {
    let at = -1;
    for (let k = 0; k < RESPONSE_KEYS.length; k++) {
      if (next[k] !== -1 && next[k] < from) next[k] = text.indexOf(RESPONSE_KEYS[k], from);
      const value = next[k] === -1 ? -1 : next[k] + RESPONSE_KEYS[k].length;
      if (value !== -1 && (at === -1 || value < at)) at = value;
    }
    if (at === -1) return swaps;
    const slot = slotMatchingAt(text, at);
    // Past this key either way; past the whole answer when it is swapped.
    from = slot === -1 ? at : at + slotJson[slot].length;
    if (slot !== -1) (swaps ??= []).push(at, slot);
  }
}

/** Newest first: when two kept results have the same text, the turn's own tool span is the newest. */
function slotMatchingAt(text: string, at: number): number {
  for (let back = 1; back <= SLOTS; back++) {
    const slot = (nextSlot - back + SLOTS) % SLOTS;
    const json = slotJson[slot];
    // `slice ===`, not `startsWith`: V8 compares equal-length strings like memcmp, `startsWith` char by char.
    if (json.length < MIN_REUSED_CHARS || text.slice(at, at + json.length) !== json) continue;
    // The match must end where the value ends (a comma or the part's closing brace follows).
    const after = text.charCodeAt(at + json.length);
    if (after === 0x7d /* } */ || after === 0x2c /* , */) return slot;
  }
  return -1;
}

/** Puts the kept values back where their placeholders landed; false unless each came back once, as a tool answer. */
function restoreKnownResults(parsed: unknown, values: readonly unknown[]): boolean {
  if (!Array.isArray(parsed)) return false;
  const restored = new Array<boolean>(values.length).fill(false);
  for (const message of parsed) {
    if (typeof message !== 'object' || message === null) continue;
    const parts = (message as { parts?: unknown; content?: unknown }).parts ?? (message as { content?: unknown }).content;
    if (!Array.isArray(parts)) continue;
    for (const part of parts as unknown[]) {
      if (typeof part !== 'object' || part === null || (part as { type?: unknown }).type !== 'tool_call_response') continue;
      const fields = part as Record<string, unknown>;
      // The key the reader takes the answer from (`response`, else `result`) is the one that may hold a placeholder.
      const key = fields.response !== undefined ? 'response' : 'result';
      const index = placeholderIndex(fields[key]);
      if (index === undefined) continue;
      if (index >= values.length || restored[index]) return false;
      fields[key] = values[index];
      restored[index] = true;
    }
  }
  return restored.every(Boolean);
}

function placeholderIndex(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value.startsWith(PLACEHOLDER_PREFIX)) return undefined;
  const index = Number(value.slice(PLACEHOLDER_PREFIX.length));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}
