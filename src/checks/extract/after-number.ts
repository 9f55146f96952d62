import { MERIDIEM } from './clock-time.ts';
import { SUFFIX_MARKER, isLetter } from './currency.ts';
import { SPACE, isDigit, isSpaceCode } from './number.ts';

const L = 'A-Za-z\\u00C0-\\u024F';

/** Group numbers of {@link AFTER_NUMBER}. */
export const AFTER = { K: 1, MARKER: 2, PERCENT: 3, H_MINUTES: 4, MERIDIEM: 5, UHR: 6, BARE_H: 7, RANGE: 8 } as const;

/**
 * What follows a number decides what it is: a currency (`45 €`, `3K EUR`,
 * `45,- €`), a percent sign or word, or a time marker (`14h30`, `2 PM`,
 * `9 Uhr`, `om 9 uur`, `9h`, the dash of a range whose end carries the marker, "9–17 Uhr").
 * `:30` is read by hand (read-time.ts): it is the most common and the cheapest.
 */
export const AFTER_NUMBER = new RegExp(
  [
    `(?:${SPACE}?([kK])(?![${L}]))?(?:[.,][-–])?${SPACE}?(${SUFFIX_MARKER})`,
    `${SPACE}?(%|(?:percent|per cent|por ciento|Prozent|pour ?cent)(?![${L}]))`,
    `${SPACE}?h${SPACE}?(\\d{2})(?!\\d)`,
    `${SPACE}?${MERIDIEM}`,
    `${SPACE}?(Uhr|uur)(?![${L}])`,
    `${SPACE}?(h)(?![${L}\\d])`,
    `${SPACE}?([-–])${SPACE}?(?=\\d{1,2}(?::\\d{2})?${SPACE}?(?:Uhr|uur|[aApP]\\.?${SPACE}?[mM](?![${L}])))`,
  ].join('|'),
  'y',
);

/** A match of {@link AFTER_NUMBER}: what it took (`[0]`) and its groups, numbered by {@link AFTER}. */
export type Qualifier = ArrayLike<string | undefined> & { readonly 0: string };

/** Runs {@link AFTER_NUMBER} at `at` when the next characters can start one of its forms, else null. */
export function qualifierAt(text: string, at: number): Qualifier | null {
  if (!mayQualify(text, at)) return null;
  const symbol = symbolAfter(text, at);
  if (symbol !== null) return symbol;
  AFTER_NUMBER.lastIndex = at;
  return AFTER_NUMBER.exec(text);
}

/**
 * The match of AFTER_NUMBER when a currency symbol or `%` follows (after at most one
 * space), built by hand: the most common qualifier ("45 €", "20 %") and the one the
 * pattern reaches last. Only its first two forms can match there; for a symbol, the
 * first (a marker, unless a number follows it: "5 € 10" is "€ 10"); for `%`, the second.
 * null: run the pattern.
 */
function symbolAfter(text: string, at: number): Qualifier | null {
  const i = isSpaceCode(text.charCodeAt(at)) ? at + 1 : at;
  const code = text.charCodeAt(i);
  if (code === 37) return [text.slice(at, i + 1), undefined, undefined, '%'];
  if (code !== 36 && code !== 0x20ac && code !== 0xa3 && code !== 0xa5 && code !== 0x20b9) return null; // $ € £ ¥ ₹
  const next = text.charCodeAt(i + 1);
  const numberFollows = isDigit(next) || ((next === 32 || next === 0xa0 || next === 0x202f) && isDigit(text.charCodeAt(i + 2)));
  if (numberFollows) return null;
  return [text.slice(at, i + 1), undefined, text.charAt(i)];
}

/**
 * Judged on the next two characters (after at most one space). Most numbers are
 * followed by a word that cannot qualify them ("5 business days", "24 November"):
 * not running the regex for them is most of the scan's speed.
 */
function mayQualify(text: string, at: number): boolean {
  let i = at;
  if (isSpaceCode(text.charCodeAt(i))) i++;
  const first = text.charCodeAt(i);
  const second = text.charCodeAt(i + 1);
  switch (first) {
    case 36: case 37: case 0xa3: case 0xa5: case 0x20ac: case 0x20b9: // $ % £ ¥ € ₹
    case 107: case 75: // k K
      return true;
    case 44: case 46: // ",-" "no cents"
      return second === 45 || second === 0x2013;
    case 45: case 0x2013: // a range "9–17 Uhr"
      return isDigit(second) || isDigit(text.charCodeAt(i + 2));
    case 104: // "h30", "9h"
      return !isLetter(second);
    default:
      return QUALIFIER_PAIRS.has(first * 0x10000 + second);
  }
}

/** The first two letters of every word qualifier (am/pm, Uhr, currency words and codes, percent words). */
const QUALIFIER_PAIRS: ReadonlySet<number> = new Set(
  [
    'am', 'a.', 'AM', 'A.', 'pm', 'p.', 'PM', 'P.', 'Uh', 'uu', 'do', 'Do', 'dó', 'bu', 'eu', 'Eu', 'po', 'Po', 'Pf', 'li', 'fr', 'Fr',
    'pe', 'ce', 'Ce', 'cé', 'Pr', 'US', 'EU', 'GB', 'CH', 'CA', 'AU', 'NZ', 'JP', 'CN', 'IN', 'MX', 'BR', 'AR', 'CL', 'CO', 'PE',
    'SE', 'NO', 'DK', 'PL', 'CZ', 'HU', 'TR', 'ZA', 'SG', 'HK', 'TW', 'KR',
  ].map((pair) => pair.charCodeAt(0) * 0x10000 + pair.charCodeAt(1)),
);
