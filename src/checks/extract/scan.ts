import { AFTER, qualifierAt } from './after-number.ts';
import { clockTime } from './clock-time.ts';
import type { ClockTimeMention } from './clock-time.ts';
import { isLetter } from './currency.ts';
import { moneyWithPrefix, moneyWithSuffix } from './money.ts';
import type { MoneyMention } from './money.ts';
import { endOfDigitRun, isDigit, isJsSpace, readNumber } from './number.ts';
import type { NumberToken } from './number.ts';
import type { PercentMention } from './percent.ts';
import { readTime } from './read-time.ts';

/** A number that is neither money, time nor percentage: in sources it still grounds an equal amount. */
export interface BareNumber extends NumberToken {
  readonly kind: 'number';
  /** Followed by a word ("2 nights") or written with x ("x3", "3×"): a quantity. */
  readonly countsSomething: boolean;
}

export type ValueMention = MoneyMention | ClockTimeMention | PercentMention | BareNumber;

export interface ScanOptions {
  /** Sources: take times a reply would need a time word for ("9h"), and ignore duration guards. */
  readonly liberal?: boolean;
  /** Also report bare numbers (sources). */
  readonly numbers?: boolean;
}

/** ISO 8601 dates (group 1-2: the clock time of a date-time); the date parts are no amounts. */
const ISO_DATE = /\d{4}-\d{2}-\d{2}(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/y;
const DIGIT = /\d/g;

/**
 * Every money amount, clock time and percentage in `text`, in order (and bare
 * numbers with `numbers`). Anchored at digits: the cost is one quick pass plus
 * a little work per number, whatever the language.
 */
export function scanValues(text: string, options: ScanOptions = {}): ValueMention[] {
  return scan(text, options.liberal === true, options.numbers === true, undefined);
}

/**
 * A source's values (`liberal`, with bare numbers) but for the bare numbers starting
 * at `known` (those a JSON key already stated): the scan reads them all the same,
 * it only does not hand them out.
 */
export function scanSourceValues(text: string, known: ReadonlySet<number> | undefined): ValueMention[] {
  return scan(text, true, true, known);
}

function scan(text: string, liberal: boolean, numbers: boolean, known: ReadonlySet<number> | undefined): ValueMention[] {
  const found: ValueMention[] = [];
  DIGIT.lastIndex = 0;
  while (DIGIT.test(text)) {
    const at = DIGIT.lastIndex - 1;
    DIGIT.lastIndex = readAt(text, at, liberal, numbers, known, found);
  }
  return found;
}

/** Reads the value at the digit `at` into `found`; returns where to go on. */
function readAt(
  text: string, at: number, liberal: boolean, numbers: boolean, known: ReadonlySet<number> | undefined, found: ValueMention[],
): number {
  const before = text.charCodeAt(at - 1);
  // Inside an identifier ("INC-40211", "#4521", "1Z999AA1", "ab12"), not "9am-5pm": skip it whole, cheaply.
  // An upper-case letter may end a currency code ("EUR45"), an "x" a quantity ("x3"): those go on.
  const beforeHyphen = before === 45 ? text.charCodeAt(at - 2) : 0;
  if ((before >= 97 && before <= 122 && before !== 120) || before === 35 || (beforeHyphen >= 65 && beforeHyphen <= 90)) {
    return endOfWord(text, at);
  }
  const next = text.charCodeAt(at + 1);
  const fifth = text.charCodeAt(at + 4);
  if (fifth === 45) {
    ISO_DATE.lastIndex = at;
    const date = ISO_DATE.exec(text);
    if (date !== null) {
      const end = at + date[0].length;
      if (date[1] !== undefined) pushTime(found, clockTime(at, end, date[0], Number(date[1]), Number(date[2]), null, true));
      return end;
    }
  }
  if (next === 46 || next === 47 || text.charCodeAt(at + 2) === 46 || text.charCodeAt(at + 2) === 47) {
    const end = dayMonthYearEnd(text, at);
    if (end !== -1) return end;
  }
  const number = readNumber(text, at);
  if (number === undefined) return endOfDigitRun(text, at);
  const prefixed = moneyWithPrefix(text, number);
  if (prefixed !== undefined) {
    found.push(prefixed);
    return prefixed.end;
  }
  if (before === 120 && !isLetter(text.charCodeAt(at - 2))) {
    if (numbers && (known === undefined || !known.has(at))) found.push(bareNumber(text, number)); // "x3": a quantity
    return number.end;
  }
  // Part of an identifier or a longer token: "BK77120", "#4521", ".50", "10:30:45".
  if (isLetter(before) || before === 35 || before === 46 || before === 44 || before === 58) return number.end;

  if (text.charCodeAt(number.end) === 37) {
    found.push({ kind: 'percent', start: at, end: number.end + 1, text: text.slice(at, number.end + 1), percent: number.minor / 100 });
    return number.end + 1;
  }
  const after = qualifierAt(text, number.end);
  const marker = after === null ? undefined : after[AFTER.MARKER];
  if (after !== null && marker !== undefined) {
    const end = number.end + after[0].length;
    found.push(moneyWithSuffix(text, number, end, after[AFTER.K] !== undefined, marker));
    return end;
  }
  if (after !== null && after[AFTER.PERCENT] !== undefined) {
    const end = number.end + after[0].length;
    found.push({ kind: 'percent', start: at, end, text: text.slice(at, end), percent: number.minor / 100 });
    return end;
  }
  const time = readTime(text, number, after, liberal);
  if (time !== undefined) {
    found.push(time);
    return time.end > number.end ? time.end : number.end;
  }
  if (number.fractionDigits === 2 && isJsSpace(before) && PRICE_VERB_BEFORE.test(text.slice(Math.max(0, at - 24), at))) {
    // "the upgrade costs 14.99 a month": an amount without a currency is still money after a price verb.
    found.push({ kind: 'money', start: at, end: number.end, text: text.slice(at, number.end), minor: number.minor, currency: null });
    return number.end;
  }
  if (numbers && (known === undefined || !known.has(at))) found.push(bareNumber(text, number));
  return number.end;
}

const PRICE_VERB_BEFORE =
  /(?<![a-zà-ÿ])(?:costs?|priced at|charged?|pay|paid|cuesta|cuestan|cobra(?:mos)?|pagar|kostet|kosten|zahlen|bezahlen|coûte|coûtent|payer|factur[ée]e?s?)\s+$/i;

/**
 * End of a date `d.m.yy`, `dd/mm/yyyy` (one or two digits, the same `.` or `/` twice, two
 * to four digits) at `at`, or -1. By hand: it is tried on every amount with cents ("89.90").
 */
export function dayMonthYearEnd(text: string, at: number): number {
  let i = isDigit(text.charCodeAt(at + 1)) ? at + 2 : at + 1;
  const separator = text.charCodeAt(i);
  if ((separator !== 46 && separator !== 47) || !isDigit(text.charCodeAt(i + 1))) return -1;
  i = isDigit(text.charCodeAt(i + 2)) ? i + 3 : i + 2;
  if (text.charCodeAt(i) !== separator) return -1;
  const yearStart = ++i;
  while (isDigit(text.charCodeAt(i))) i++;
  return i - yearStart >= 2 && i - yearStart <= 4 ? i : -1;
}

function endOfWord(text: string, at: number): number {
  let i = at;
  for (let code = text.charCodeAt(i); isDigit(code) || isLetter(code); code = text.charCodeAt(++i));
  return i;
}

function pushTime(found: ValueMention[], time: ClockTimeMention | undefined): void {
  if (time !== undefined) found.push(time);
}

function bareNumber(text: string, number: NumberToken): BareNumber {
  const before = text.charCodeAt(number.start - 1);
  const after = text.charCodeAt(number.end);
  const countsSomething =
    before === 120 || before === 0xd7 || after === 120 || after === 0xd7 ||
    (after === 32 && isLetter(text.charCodeAt(number.end + 1)));
  return { ...number, kind: 'number', countsSomething };
}
