import { isDigit, isJsSpace } from './number.ts';

/** A `"key": number` pair of a JSON source (the number may be quoted: `"fee": "12.50"`). */
export interface JsonNumberVisitor {
  (key: string, digits: string, digitsStart: number): void;
}

/**
 * Every `"key": number` pair in `text`, in order, as the regular expression
 * `/"([A-Za-z_][\w.-]{0,63})"\s*:\s*"?(-?)(\d+(?:\.\d+)?)(?="?\s*[,}\]])/g` finds
 * them (its sign is not reported: sources state amounts, not debts), read by hand:
 * each part of that pattern has one way to match, so trying it at each `"` in
 * turn finds the same pairs without the engine's backtracking over every key and
 * string value (measured: the largest regex cost of reading a tool result).
 * test/checks/extract/json-number.test.ts holds the two readings equal.
 */
export function forEachJsonNumber(text: string, visit: JsonNumberVisitor): void {
  let quote = text.indexOf('"');
  while (quote !== -1) {
    const end = jsonNumberAt(text, quote, visit);
    quote = text.indexOf('"', end === -1 ? quote + 1 : end);
  }
}

const MAX_KEY_TAIL = 63;

/** Reads the pair opening at the `"` at `quote` (and visits it), returning where it ends; -1 when none opens there. */
function jsonNumberAt(text: string, quote: number, visit: JsonNumberVisitor): number {
  const keyStart = quote + 1;
  if (!isKeyStart(text.charCodeAt(keyStart))) return -1;
  let i = keyStart + 1;
  while (isKeyChar(text.charCodeAt(i))) i++;
  // `[\w.-]{0,63}` then `"`: a longer run of key characters leaves no `"` to match.
  if (i - keyStart - 1 > MAX_KEY_TAIL || text.charCodeAt(i) !== 34) return -1;
  const keyEnd = i;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) !== 58) return -1; // :
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 34) i++;
  if (text.charCodeAt(i) === 45) i++; // -
  const digitsStart = i;
  while (isDigit(text.charCodeAt(i))) i++;
  if (i === digitsStart) return -1;
  if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
    i += 2;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  // Followed by `"?\s*[,}\]]`; a shorter number would be followed by a digit or `.`, which fails it too.
  let after = i;
  if (text.charCodeAt(after) === 34) after++;
  after = skipSpace(text, after);
  const close = text.charCodeAt(after);
  if (close !== 44 && close !== 125 && close !== 93) return -1;
  visit(text.slice(keyStart, keyEnd), text.slice(digitsStart, i), digitsStart);
  return i;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (isJsSpace(text.charCodeAt(i))) i++;
  return i;
}

/** `[A-Za-z_]` */
function isKeyStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
}

/** `[\w.-]`: `\w` without the `u` flag is ASCII only. */
function isKeyChar(code: number): boolean {
  return isKeyStart(code) || isDigit(code) || code === 46 || code === 45;
}
