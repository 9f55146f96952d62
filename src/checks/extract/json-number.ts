import { isDigit, isJsSpace } from './number.ts';

/** A `"key": number` pair of a JSON source (the number may be quoted: `"fee": "12.50"`). */
export interface JsonNumberVisitor {
  (key: string, digits: string, digitsStart: number): void;
}

/**
 * Every `"key": number` pair in `text`, in order, as the regular expression
 * `/"([A-Za-z_][\w.-]{0,63})"\s*:\s*"?(-?)(\d+(?:\.\d+)?)(?="?\s*[,}\]])/g` finds
 * them (its sign is not reported: sources state amounts, not debts), read by hand.
 * Each part of that pattern has one way to match, and a key holds no `"` or `:`, so
 * each colon has at most one pair around it: its key is read backwards from the colon,
 * its number forwards. JSON has half as many colons as quotes, and string values
 * are never tried as keys (measured: the largest cost of reading a tool result).
 * test/checks/extract/json-number.test.ts holds the two readings equal.
 */
export function forEachJsonNumber(text: string, visit: JsonNumberVisitor): void {
  let from = 0; // the pattern goes on after the last pair it found
  let colon = text.indexOf(':');
  while (colon !== -1) {
    const end = jsonNumberAround(text, colon, from, visit);
    if (end !== -1) from = end;
    colon = text.indexOf(':', end === -1 ? colon + 1 : end);
  }
}

const MAX_KEY = 64;

/** Reads the pair whose colon is at `colon` and whose key opens at or after `from` (and visits it), returning its end; else -1. */
function jsonNumberAround(text: string, colon: number, from: number, visit: JsonNumberVisitor): number {
  let keyEnd = colon;
  while (keyEnd > from && isJsSpace(text.charCodeAt(keyEnd - 1))) keyEnd--;
  if (keyEnd === from || text.charCodeAt(keyEnd - 1) !== 34) return -1;
  keyEnd--; // the key's closing quote
  let keyStart = keyEnd;
  while (keyStart > from && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
  // `"[A-Za-z_][\w.-]{0,63}"`: an opening quote at or after `from`, then at most 64 key characters.
  if (keyStart - 1 < from || text.charCodeAt(keyStart - 1) !== 34) return -1;
  if (keyEnd - keyStart > MAX_KEY || !isKeyStart(text.charCodeAt(keyStart))) return -1;
  let i = skipSpace(text, colon + 1);
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
