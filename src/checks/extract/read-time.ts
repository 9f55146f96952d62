import { AFTER } from './after-number.ts';
import type { Qualifier } from './after-number.ts';
import {
  DURATION_AFTER, DURATION_BEFORE, MERIDIEM, SPANISH_TAIL, TIME_BEFORE, clockTime, spanishHalf, spanishLead,
} from './clock-time.ts';
import type { ClockTimeMention, Half } from './clock-time.ts';
import { isLetter } from './currency.ts';
import { SPACE, isDigit, isSpaceCode } from './number.ts';
import type { NumberToken } from './number.ts';
import { wordBefore } from './words.ts';

const MERIDIEM_AT = new RegExp(`${SPACE}?${MERIDIEM}`, 'y');
/** nl words that make "3 uur" a time of day: "om 3 uur", "vanaf 9 uur", "tot 17 uur". */
const DUTCH_TIME_BEFORE: ReadonlySet<string> = new Set(['om', 'tot', 'vanaf', 'tussen', 'rond', 'omstreeks', 'voor', 'na', 'van']);

/**
 * The clock time `number` starts, judged by what follows it (`after`, a match
 * of AFTER_NUMBER, or `:30` read here) and by Spanish "a las" before it.
 * `liberal` (sources) skips the guards against durations ("1:30 hours", "dans 2 h").
 */
export function readTime(text: string, number: NumberToken, after: Qualifier | null, liberal: boolean): ClockTimeMention | undefined {
  const at = number.start;
  const hourDigits = number.integerDigits;
  if (hourDigits < 1 || hourDigits > 2) return undefined;
  const dotted = number.fractionDigits === 2 && number.decimalMark === 46; // "14.30 Uhr", "2.30pm"
  if (number.fractionDigits !== 0 && !dotted) return undefined;
  const hour = dotted ? Math.floor(number.minor / 100) : number.minor / 100;
  const colonEnd = dotted ? -1 : colonMinutesEnd(text, number.end);
  const lead = dotted ? -1 : spanishLead(text, at);
  if (after === null && colonEnd < 0 && lead < 0) return undefined;
  let minute = dotted ? number.minor % 100 : 0;
  let end = number.end;
  let half: Half = null;
  let isTime = lead >= 0;
  if (colonEnd >= 0) {
    minute = (text.charCodeAt(number.end + 1) - 48) * 10 + text.charCodeAt(number.end + 2) - 48;
    end = colonEnd;
    half = meridiemAt(text, colonEnd);
    if (half !== null) end = MERIDIEM_AT.lastIndex;
    else if (!liberal && durationFollows(text, colonEnd)) return undefined;
    else end = hourWordEnd(text, colonEnd);
    isTime = true;
  } else if (after !== null) {
    const afterEnd = number.end + after[0].length;
    const digits = after[AFTER.H_MINUTES]; // exactly two digits (AFTER_NUMBER)
    if (digits !== undefined && !dotted) {
      if (!liberal && DURATION_BEFORE.has(wordBefore(text, at))) return undefined;
      minute = (digits.charCodeAt(0) - 48) * 10 + digits.charCodeAt(1) - 48;
      end = afterEnd;
      isTime = true;
    } else if (after[AFTER.MERIDIEM] !== undefined || after[AFTER.UHR] !== undefined) {
      // nl "uur" is the hour of the clock and the hour of duration: "om 3 uur" is a time, "duurt 3 uur" not.
      if (after[AFTER.UHR] === 'uur' && !dotted && !liberal && !DUTCH_TIME_BEFORE.has(wordBefore(text, at))) return undefined;
      half = meridiem(after[AFTER.MERIDIEM]);
      end = afterEnd;
      isTime = true;
    } else if (after[AFTER.BARE_H] !== undefined) {
      if (!liberal && !dotted && !timeWordBefore(text, at) && !timeAlternativeAfter(text, number.end + after[0].length)) return undefined;
      end = afterEnd;
      isTime = true;
    } else if (after[AFTER.RANGE] !== undefined && !dotted) {
      isTime = true; // the range's first hour; its end is read on its own
    }
  }
  if (!isTime) return undefined;
  let start = at;
  if (lead >= 0) {
    SPANISH_TAIL.lastIndex = end;
    const tail = SPANISH_TAIL.exec(text);
    if (tail !== null && tail[0].length > 0) {
      if (tail[1] !== undefined) minute = tail[1] === 'media' ? 30 : 15;
      half = half ?? spanishHalf(hour, tail[2], tail[3]);
      end += tail[0].length;
    }
    start = lead;
  }
  const leadingZero = hourDigits === 2 && text.charCodeAt(at) === 48;
  return clockTime(start, end, text.slice(start, end), hour, minute, half, leadingZero);
}

/** "à 9h", "bis 18h", "à partir de 15h": a bare hour needs a time word before it. */
function timeWordBefore(text: string, at: number): boolean {
  const word = wordBefore(text, at);
  if (TIME_BEFORE.has(word)) return true;
  // fr/es "à partir de 15h", "a partir de 9h"; a plain "de 2 h" is as often a duration ("un délai de 2 h").
  return word === 'de' && wordBefore(text, text.lastIndexOf('de', at)) === 'partir';
}

/** "10h ou 14h30", "9h et 11h": a bare hour offered as one of two times is a time too. */
const TIME_ALTERNATIVE = /[ \u00a0](?:ou|et|or|and|o|y|oder|und|e|of|en)[ \u00a0]\d{1,2}(?:[:h.]\d{2}|[ \u00a0]?h(?![A-Za-z\u00C0-\u024F]))/y;

function timeAlternativeAfter(text: string, at: number): boolean {
  TIME_ALTERNATIVE.lastIndex = at;
  return TIME_ALTERNATIVE.test(text);
}

/** End of `:30` or `:30:00` (`:30:00.000`) at `at`, or -1. */
function colonMinutesEnd(text: string, at: number): number {
  if (text.charCodeAt(at) !== 58 || !isDigit(text.charCodeAt(at + 1)) || !isDigit(text.charCodeAt(at + 2))) return -1;
  let end = at + 3;
  if (text.charCodeAt(end) === 58) {
    if (!isDigit(text.charCodeAt(end + 1)) || !isDigit(text.charCodeAt(end + 2))) return -1;
    end += 3;
    if (text.charCodeAt(end) === 46) while (isDigit(text.charCodeAt(end + 1))) end++;
    if (text.charCodeAt(end) === 46 && end > at + 6) end++;
  }
  const next = text.charCodeAt(end);
  return isDigit(next) || next === 58 ? -1 : end;
}

/** am / pm right after a time (leaves MERIDIEM_AT.lastIndex at its end), or null. */
function meridiemAt(text: string, at: number): Half {
  let code = text.charCodeAt(at);
  if (isSpaceCode(code)) code = text.charCodeAt(at + 1);
  if (code !== 97 && code !== 65 && code !== 112 && code !== 80) return null;
  MERIDIEM_AT.lastIndex = at;
  const match = MERIDIEM_AT.exec(text);
  return match === null ? null : meridiem(match[1]);
}

/** Past a trailing "Uhr" / "uur" / "h" ("14:30 Uhr", "14:30 h"), so the quoted time reads as written. */
function hourWordEnd(text: string, at: number): number {
  const i = isSpaceCode(text.charCodeAt(at)) ? at + 1 : at;
  if ((text.startsWith('Uhr', i) || text.startsWith('uur', i)) && !isLetter(text.charCodeAt(i + 3))) return i + 3;
  if (text.charCodeAt(i) === 104 && !isLetter(text.charCodeAt(i + 1))) return i + 1;
  return at;
}

function durationFollows(text: string, at: number): boolean {
  let code = text.charCodeAt(at);
  if (isSpaceCode(code)) code = text.charCodeAt(at + 1);
  // Every duration word starts with m, h or S ("min", "hours", "horas", "heures", "Stunden", "Minuten").
  if (code !== 109 && code !== 104 && code !== 77 && code !== 83) return false;
  DURATION_AFTER.lastIndex = at;
  return DURATION_AFTER.test(text);
}

function meridiem(letter: string | undefined): Half {
  if (letter === undefined) return null;
  return letter === 'a' || letter === 'A' ? 'a' : 'p';
}
