import { isSpaceCode } from './number.ts';

/**
 * Currency markers and their ISO 4217 codes. `$` alone, "dollars" and "pesos"
 * name no single currency, so they normalize to the dollar family `$`, which
 * agrees with any of its members but not with EUR or GBP.
 */

/** Marker for "some dollar-sign currency" (USD, CAD, AUD, MXN…). */
export const DOLLAR_FAMILY = '$';

const DOLLAR_CODES = new Set(['USD', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'MXN', 'ARS', 'CLP', 'COP', 'TWD']);

export const ISO_CODES = [
  'USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'NZD', 'JPY', 'CNY', 'INR', 'MXN', 'BRL', 'ARS', 'CLP', 'COP',
  'PEN', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'TRY', 'ZAR', 'SGD', 'HKD', 'TWD', 'KRW',
] as const;
const ISO_SET: ReadonlySet<string> = new Set(ISO_CODES);
const LETTER = 'A-Za-z\\u00C0-\\u024F';

/** Written after the number. A symbol followed by a digit starts the next amount instead. */
export const SUFFIX_MARKER =
  `(?:[$€£¥₹](?![ \\u00A0\\u202F]?\\d)|(?:${ISO_CODES.join('|')}|` +
  'dollars?|Dollars?|d[óo]lares|bucks|euros?|Euros?|pounds?|Pfund|libras?|livres?|francs?|Franken|pesos?|' +
  `cents?|Cents?|c[ée]ntimos?|centavos?|centimes?)(?![${LETTER}]))`;

/** An ISO code written after a prefixed amount (`$45 USD`) names its currency. */
export const TRAILING_CODE = `(?:${ISO_CODES.join('|')})(?![${LETTER}])`;

// Maps, not object literals: markers are fresh substrings of the reply, and a keyed property load
// with one internalizes it first (measured: most of currencyOf's time, bench/checks-throughput.ts).
const SYMBOLS: ReadonlyMap<number, string> = new Map([
  [0x20ac /* € */, 'EUR'], [0xa3 /* £ */, 'GBP'], [0xa5 /* ¥ */, 'JPY'], [0x20b9 /* ₹ */, 'INR'],
  [0x20a9 /* ₩ */, 'KRW'], [0x20bd /* ₽ */, 'RUB'], [0x20ba /* ₺ */, 'TRY'], [0x20aa /* ₪ */, 'ILS'],
]);
const DOLLAR_PREFIXES: Readonly<Record<string, string>> = {
  US: 'USD', CA: 'CAD', C: 'CAD', AU: 'AUD', A: 'AUD', NZ: 'NZD', HK: 'HKD', S: 'SGD', MX: 'MXN', R: 'BRL',
};
const WORDS: ReadonlyMap<string, string> = new Map(Object.entries({
  dollar: DOLLAR_FAMILY, dollars: DOLLAR_FAMILY, dólares: DOLLAR_FAMILY, dolares: DOLLAR_FAMILY, bucks: DOLLAR_FAMILY,
  peso: DOLLAR_FAMILY, pesos: DOLLAR_FAMILY, euro: 'EUR', euros: 'EUR', pound: 'GBP', pounds: 'GBP', pfund: 'GBP',
  libra: 'GBP', libras: 'GBP', livre: 'GBP', livres: 'GBP', franc: 'CHF', francs: 'CHF', franken: 'CHF',
}));
const MINOR_UNIT_WORDS = new Set(['cent', 'cents', 'céntimo', 'céntimos', 'centimo', 'centimos', 'centavo', 'centavos', 'centime', 'centimes']);

/** A currency written just before a number (one space allowed): `$45`, `US$ 45`, `EUR 45`, `€45`, `Fr. 45`. */
export function currencyBefore(text: string, at: number): { readonly start: number; readonly currency: string } | undefined {
  let end = at;
  if (end > 0 && isSpaceCode(text.charCodeAt(end - 1))) end--;
  if (end === 0) return undefined;
  const symbol = text.charCodeAt(end - 1);
  if (symbol === 36) {
    return dollarPrefix(text, end - 1, 2) ?? dollarPrefix(text, end - 1, 1) ?? { start: end - 1, currency: DOLLAR_FAMILY };
  }
  if (symbol === 46) {
    return text.startsWith('Fr.', end - 3) && !isLetter(text.charCodeAt(end - 4)) ? { start: end - 3, currency: 'CHF' } : undefined;
  }
  if (symbol < 65) return undefined; // no other marker ends in a digit, a space or punctuation
  const code = symbol > 0xa0 ? SYMBOLS.get(symbol) : undefined;
  if (code !== undefined) return { start: end - 1, currency: code };
  if (end >= 3 && isUpper(text.charCodeAt(end - 1)) && !isLetter(text.charCodeAt(end - 4))) {
    const letters = text.slice(end - 3, end);
    if (ISO_SET.has(letters)) return { start: end - 3, currency: letters };
  }
  return undefined;
}

/** `US$`, `C$`: letters right before the `$` at `dollar` that name a dollar currency. */
function dollarPrefix(text: string, dollar: number, letters: number): { start: number; currency: string } | undefined {
  const start = dollar - letters;
  if (start < 0 || isLetter(text.charCodeAt(start - 1))) return undefined;
  const currency = DOLLAR_PREFIXES[text.slice(start, dollar)];
  return currency === undefined ? undefined : { start, currency };
}

/** ISO code (or the dollar family) for a suffix marker; null for one naming no currency. */
export function currencyOf(marker: string): string | null {
  if (marker.length === 1) {
    const code = marker.charCodeAt(0);
    return code === 36 ? DOLLAR_FAMILY : (SYMBOLS.get(code) ?? null);
  }
  if (ISO_SET.has(marker)) return marker;
  return WORDS.get(marker.toLowerCase()) ?? null;
}

/** "50 cents": the number already counts hundredths, in whatever currency. */
export function isMinorUnitWord(marker: string): boolean {
  const first = marker.charCodeAt(0);
  return (first === 99 || first === 67) && MINOR_UNIT_WORDS.has(marker.toLowerCase());
}

/** Whether two currencies may denote the same money; null means "not stated". */
export function currenciesAgree(a: string | null, b: string | null): boolean {
  if (a === null || b === null || a === b) return true;
  if (a === DOLLAR_FAMILY) return DOLLAR_CODES.has(b);
  if (b === DOLLAR_FAMILY) return DOLLAR_CODES.has(a);
  return false;
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

export function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7);
}
