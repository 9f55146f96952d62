import { SPACE } from './number.ts';
import { wordBefore } from './words.ts';

/** A clock time as written. `2:30` without am/pm could be either half of the day. */
export interface ClockTimeMention {
  readonly kind: 'time';
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Minutes since midnight. */
  readonly minutes: number;
  /** The other reading of an ambiguous 12-hour time (`2:30` → 14:30), or -1. */
  readonly alternate: number;
}

export type Half = 'a' | 'p' | null;

const LETTER = 'A-Za-z\\u00C0-\\u024F';

/** "p.m." takes both dots; a lone dot after "pm" ends the sentence and is not part of the time. */
export const MERIDIEM = `([aApP])(?:\\.${SPACE}?[mM]\\.|${SPACE}?[mM](?![${LETTER}]))`;

/** Right after "1:30", these make it a duration ("1:30 hours", "2:00 min"). */
export const DURATION_AFTER = new RegExp(
  `${SPACE}?(?:min|mins|minutes?|minutos?|Minuten|hours?|hrs?|horas?|Stunden|heures?)(?![${LETTER}])`,
  'y',
);

/** Before "1h30" / "2 h", these make it a duration ("dans 2 h", "en 1h30", "within 2h"). */
export const DURATION_BEFORE: ReadonlySet<string> = new Set([
  'in', 'within', 'for', 'takes', 'lasts', 'about', 'approximately', 'approx', 'en', 'durante', 'dentro', 'dura',
  'tarda', 'unas', 'innerhalb', 'binnen', 'nach', 'für', 'dauert', 'ca', 'etwa', 'dans', 'pendant', 'durant',
  'sous', "d'ici", 'dure', 'environ', 'plus', 'moins',
]);

/** Words that make a bare "9h" a time of day ("à 9h", "dès 8h", "bis 18h"). */
export const TIME_BEFORE: ReadonlySet<string> = new Set([
  'à', 'a', 'vers', 'dès', "jusqu'à", 'avant', 'après', 'entre', 'et', 'ou', 'pour', 'at', 'by', 'from', 'until',
  'um', 'ab', 'bis', 'gegen', 'las', 'la',
  // pt "às 16h", "até às 18h", "pelas 9h"; it "alle 9h"; nl "om 9h"
  'às', 'as', 'até', 'pelas', 'das', 'alle', 'dalle', 'om', 'tot', 'vanaf',
]);

export const SPANISH_LEAD: ReadonlySet<string> = new Set(['a', 'hasta', 'desde', 'entre', 'para', 'sobre', 'y']);

/** es, after the hour: "y media", "h"/"horas", "de la tarde", "del mediodía". */
export const SPANISH_TAIL = new RegExp(
  `(?: y (media|cuarto))?(?:${SPACE}?(?:h|hs|horas)(?![${LETTER}]))?(?: (?:de la (mañana|tarde|noche|madrugada)|del (mediodía)))?`,
  'y',
);

/** Start of "a las " / "hasta la " right before `at`, or -1: Spanish names the hour with "las". */
export function spanishLead(text: string, at: number): number {
  if (text.charCodeAt(at - 1) !== 32) return -1;
  const last = text.charCodeAt(at - 2);
  if (last !== 115 && last !== 97) return -1; // "…las " / "…la "
  let article = -1;
  if (text.startsWith('las', at - 4)) article = at - 4;
  else if (text.startsWith('la', at - 3)) article = at - 3;
  if (article < 1 || text.charCodeAt(article - 1) !== 32) return -1;
  const lead = wordBefore(text, article);
  return SPANISH_LEAD.has(lead) ? article - 1 - lead.length : -1;
}

/** es: "de la mañana" is a.m.; "de la tarde" p.m.; "de la noche" p.m. from 7 on, a.m. for the small hours. */
export function spanishHalf(hour: number, daypart: string | undefined, mediodia: string | undefined): Half {
  if (mediodia !== undefined) return 'p';
  if (daypart === undefined) return null;
  if (daypart === 'tarde') return 'p';
  if (daypart === 'noche') return hour >= 7 && hour <= 11 ? 'p' : 'a';
  return 'a';
}

/** Normalizes an hour and minute as written; undefined for impossible times (25:00, 12:75). */
export function clockTime(
  start: number, end: number, text: string, hour: number, minute: number, half: Half, leadingZero: boolean,
): ClockTimeMention | undefined {
  if (minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) return undefined;
  const h = hour === 24 ? 0 : hour;
  if (half !== null) {
    const minutes = h > 12 ? h * 60 + minute : ((h % 12) + (half === 'p' ? 12 : 0)) * 60 + minute;
    return { kind: 'time', start, end, text, minutes, alternate: -1 };
  }
  // A leading zero ("09:00") or an hour past 12 is unambiguous 24-hour time.
  if (h === 0 || h > 12 || leadingZero) return { kind: 'time', start, end, text, minutes: h * 60 + minute, alternate: -1 };
  const alternate = h === 12 ? minute : (h + 12) * 60 + minute;
  return { kind: 'time', start, end, text, minutes: h * 60 + minute, alternate };
}

export function mergeByStart<T extends { readonly start: number }>(a: readonly T[], b: readonly T[]): T[] {
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].start <= b[j].start)) merged.push(a[i++]);
    else merged.push(b[j++]);
  }
  return merged;
}
