import { currencyBefore, currencyOf, isMinorUnitWord, TRAILING_CODE } from './currency.ts';
import type { NumberToken } from './number.ts';
import { SPACE, isSpaceCode } from './number.ts';

/** A money amount as written, with where it is and what it means. */
export interface MoneyMention {
  readonly kind: 'money';
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Hundredths of the amount (see `NumberToken.minor`). */
  readonly minor: number;
  /** ISO 4217 code, `$` for the dollar family, null when the text names no currency (`50 cents`). */
  readonly currency: string | null;
}

// After a prefixed amount: `k` thousands (`$2k`, not `5 km`), `,-` / `.–` "no cents" (`€45,-`), an ISO code (`$45 USD`).
export const PREFIXED_TAIL = new RegExp(
  `(?:${SPACE}?([kK])(?![A-Za-z\\u00C0-\\u024F]))?(?:[.,][-–])?(?:${SPACE}(${TRAILING_CODE}))?`,
  'y',
);

/** The amount when a currency is written before `number`; a bare number is never money. */
export function moneyWithPrefix(text: string, number: NumberToken): MoneyMention | undefined {
  const prefix = currencyBefore(text, number.start);
  if (prefix === undefined) return undefined;
  const tail = tailMayFollow(text, number.end) ? tailAt(text, number.end) : null;
  const end = tail === null ? number.end : number.end + tail[0].length;
  const minor = tail !== null && tail[1] !== undefined ? number.minor * 1000 : number.minor;
  const currency = tail !== null && tail[2] !== undefined ? tail[2] : prefix.currency;
  return { kind: 'money', start: prefix.start, end, text: text.slice(prefix.start, end), minor, currency };
}

/**
 * Whether PREFIXED_TAIL can match more than nothing at `at`, judged on two characters:
 * `k`; `,-` / `.–`; a space before `k` or before an ISO code's first capital. Most
 * amounts end a clause ("€45 will", "€45, so"): not running the regex for them is
 * measured time (bench/checks-throughput.ts).
 */
export function tailMayFollow(text: string, at: number): boolean {
  const next = text.charCodeAt(at);
  if (next === 107 || next === 75) return true;
  const second = text.charCodeAt(at + 1);
  if (next === 46 || next === 44) return second === 45 || second === 0x2013;
  return isSpaceCode(next) && (second === 107 || (second >= 65 && second <= 90));
}

function tailAt(text: string, at: number): RegExpExecArray | null {
  PREFIXED_TAIL.lastIndex = at;
  return PREFIXED_TAIL.exec(text);
}

/** The amount of `number` followed by a currency marker (`45 €`, `45 dollars`, `3K EUR`, `50 cents`). */
export function moneyWithSuffix(text: string, number: NumberToken, end: number, thousands: boolean, marker: string): MoneyMention {
  let minor = thousands ? number.minor * 1000 : number.minor;
  let currency = currencyOf(marker);
  if (isMinorUnitWord(marker)) {
    minor = Math.round(minor / 100);
    currency = null;
  }
  return { kind: 'money', start: number.start, end, text: text.slice(number.start, end), minor, currency };
}
