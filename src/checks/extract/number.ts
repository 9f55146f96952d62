/**
 * Number tokens as people write them in four languages: `1,250.00` (en),
 * `1.250,00` (de, es), `1 250,00` with a plain, no-break (U+00A0), narrow
 * no-break (U+202F, CLDR's French group separator) or thin space, `1'250.00` (CH).
 * A separator followed by exactly three digits groups thousands; one followed by
 * one or two digits is the decimal mark — so `12,50` and `12.50` agree.
 * Read by hand rather than by regex: this runs at every digit of every reply.
 */

/** Space-like characters used as thousands separators (CLDR: fr uses U+202F, older data U+00A0). */
export const SPACE = '[ \\u00A0\\u202F\\u2009]';

export interface NumberToken {
  readonly start: number;
  readonly end: number;
  /** Hundredths of the value ("minor units" for every currency, so `¥4,500` and `4500` agree). */
  readonly minor: number;
  /** Digits before the decimal mark when not grouped (`14` of `14.30`), else -1. */
  readonly integerDigits: number;
  /** 0, 1 or 2. */
  readonly fractionDigits: number;
  /** The decimal mark's char code (46 `.` or 44 `,`), 0 without one. */
  readonly decimalMark: number;
}

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isSpaceCode(code: number): boolean {
  return code === 32 || code === 0xa0 || code === 0x202f || code === 0x2009;
}

/** `\s` of a JavaScript regular expression, for code that reads by hand what a regex with `\s` read. */
export function isJsSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) || code === 32 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

function isGroupSeparator(code: number): boolean {
  return code === 44 || code === 46 || code === 39 || isSpaceCode(code);
}

/**
 * The number starting at `at` (a digit), or undefined when the digits there are
 * part of something longer that is no number: `12.5.2024`, `v2.3.1`, `0.125`.
 */
export function readNumber(text: string, at: number): NumberToken | undefined {
  const length = text.length;
  let i = at;
  let integer = 0;
  // charCodeAt past the end is NaN, which fails the test: no separate bound check.
  for (let code = text.charCodeAt(i); code >= 48 && code <= 57; code = text.charCodeAt(++i)) integer = integer * 10 + code - 48;
  let integerDigits = i - at;
  if (integerDigits <= 3 && text.charCodeAt(at) !== 48) {
    let separator = -1;
    while (i + 3 < length) {
      const code = text.charCodeAt(i);
      if (!isGroupSeparator(code) || (separator !== -1 && code !== separator)) break;
      const d1 = text.charCodeAt(i + 1) - 48;
      const d2 = text.charCodeAt(i + 2) - 48;
      const d3 = text.charCodeAt(i + 3) - 48;
      if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9 || isDigit(text.charCodeAt(i + 4))) break;
      separator = code;
      integer = integer * 1000 + d1 * 100 + d2 * 10 + d3;
      i += 4;
      integerDigits = -1;
    }
  }
  let fraction = 0;
  let fractionDigits = 0;
  let decimalMark = 0;
  const mark = text.charCodeAt(i);
  if ((mark === 46 || mark === 44) && isDigit(text.charCodeAt(i + 1))) {
    let j = i + 1;
    for (let code = text.charCodeAt(j); code >= 48 && code <= 57; code = text.charCodeAt(++j)) fraction = fraction * 10 + code - 48;
    fractionDigits = j - i - 1;
    if (fractionDigits > 2) return undefined;
    decimalMark = mark;
    i = j;
  }
  const after = text.charCodeAt(i);
  if ((after === 46 || after === 44) && isDigit(text.charCodeAt(i + 1))) return undefined;
  const minor = integer * 100 + (fractionDigits === 1 ? fraction * 10 : fraction);
  return { start: at, end: i, minor, integerDigits, fractionDigits, decimalMark };
}

/** Index just past the run of digits, `.` and `,` at `at`: how far to skip what is no number. */
export function endOfDigitRun(text: string, at: number): number {
  let i = at;
  for (let code = text.charCodeAt(i); isDigit(code) || code === 46 || code === 44; code = text.charCodeAt(++i));
  return i;
}
