import { SPANISH_LEAD, clockTime, spanishHalf } from './clock-time.ts';
import type { ClockTimeMention, Half } from './clock-time.ts';
import { isLetter } from './currency.ts';
import { wordBefore } from './words.ts';

const HOURS_EN = 'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve';
const HOURS_ES = 'una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce';
const HOURS_DE = 'eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf';
const HOURS_FR = 'une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze';

const HOUR_NUMBER: Readonly<Record<string, number>> = Object.fromEntries(
  [HOURS_EN, HOURS_ES, HOURS_DE, HOURS_FR].flatMap((words) => words.split('|').map((word, i) => [word, i + 1] as const)),
);

const FIXED: Readonly<Record<string, number>> = {
  noon: 720, midday: 720, midnight: 0, mediodía: 720, mediodia: 720, medianoche: 0, mitternacht: 0, midi: 720, minuit: 0,
};

/**
 * Anchors of clock times said in words, each a rare literal so the engine skips
 * through text quickly (a pattern starting with "a " or a number word would try
 * nearly every position), grouped by first letter so each position tries one
 * group, not every word (measured: ~¼ faster over the bench replies). Groups:
 * 1 noon / midnight; 2 "half past", 5 "quarter past|to" (en); 6 o'clock (en);
 * 7 "las dos" (es); 3 halb (de); 4 heure(s) (fr).
 */
const TIME_WORDS = new RegExp(
  '(m(?:id(?:day|night|i)|ediod[ií]a|edianoche|itternacht|inuit)|noon)|h(?:(alf past) |(alb) |(eures?))|(quarter past|quarter to) ' +
    `|(o['’]clock)|las? (${HOURS_ES})(?![a-zà-ÿ])`,
  'gi', // measured: case-insensitive literals scan faster here than [nN]oon-style classes
);
const WORD_AFTER_EN = new RegExp(`(${HOURS_EN})(?![a-z])`, 'y');
const WORD_AFTER_DE = new RegExp(`(${HOURS_DE})(?![a-zäöüß])`, 'y');
const SPANISH_WORD_TAIL = / y (media|cuarto)| menos cuarto/y;
const SPANISH_DAYPART = / (?:de la (mañana|tarde|noche|madrugada)|del (mediodía))/y;
const FRENCH_TAIL = / et (demie|quart)| moins le quart/y;
const FRENCH_LEAD: ReadonlySet<string> = new Set(['à', 'vers', 'dès', "jusqu'à", 'avant', 'après']);

/** Times said in words in en, es, de, fr: noon and midnight, "half past two", "a las dos y media", "halb drei", "à deux heures". */
export function scanTimeWords(text: string): ClockTimeMention[] {
  const times: ClockTimeMention[] = [];
  TIME_WORDS.lastIndex = 0;
  for (let m = TIME_WORDS.exec(text); m !== null; m = TIME_WORDS.exec(text)) {
    const before = text.charCodeAt(m.index - 1);
    if (isLetter(before) || before === 45) continue; // inside a word: "afternoon", "après-midi" (the afternoon)
    const time = readWords(text, m);
    if (time !== undefined) {
      times.push(time);
      TIME_WORDS.lastIndex = time.end;
    }
  }
  return times;
}

function readWords(text: string, m: RegExpExecArray): ClockTimeMention | undefined {
  const at = m.index;
  const end = at + m[0].length;
  if (m[1] !== undefined) {
    const minutes = FIXED[m[1].toLowerCase()];
    if (minutes === undefined || isLetter(text.charCodeAt(end))) return undefined;
    return { kind: 'time', start: at, end, text: m[0], minutes, alternate: -1 };
  }
  if (m[2] !== undefined || m[5] !== undefined) {
    const hour = wordAfter(WORD_AFTER_EN, text, end);
    if (hour === 0) return undefined;
    const minute = m[2] !== undefined ? 30 : m[5].toLowerCase().endsWith('past') ? 15 : 45;
    return timeOf(text, at, WORD_AFTER_EN.lastIndex, minute === 45 ? previousHour(hour) : hour, minute, null);
  }
  if (m[6] !== undefined) {
    const word = wordBefore(text, at);
    const hour = /^[a-z]+$/.test(word) ? (HOUR_NUMBER[word] ?? 0) : 0;
    return hour === 0 ? undefined : timeOf(text, at - word.length - 1, end, hour, 0, null);
  }
  if (m[7] !== undefined) return spanish(text, m, at, end);
  if (m[3] !== undefined) {
    const hour = wordAfter(WORD_AFTER_DE, text, end);
    return hour === 0 ? undefined : timeOf(text, at, WORD_AFTER_DE.lastIndex, previousHour(hour), 30, null); // "halb drei" = 2:30
  }
  return french(text, at, end);
}

/** es "a las dos y media de la tarde", "hasta la una". */
function spanish(text: string, m: RegExpExecArray, at: number, end: number): ClockTimeMention | undefined {
  const lead = wordBefore(text, at);
  if (!SPANISH_LEAD.has(lead)) return undefined;
  let hour = HOUR_NUMBER[m[7].toLowerCase()];
  let minute = 0;
  let stop = end;
  SPANISH_WORD_TAIL.lastIndex = stop;
  const tail = SPANISH_WORD_TAIL.exec(text);
  if (tail !== null) {
    if (tail[1] !== undefined) minute = tail[1] === 'media' ? 30 : 15;
    else [hour, minute] = [previousHour(hour), 45];
    stop = SPANISH_WORD_TAIL.lastIndex;
  }
  SPANISH_DAYPART.lastIndex = stop;
  const daypart = SPANISH_DAYPART.exec(text);
  if (daypart !== null) stop = SPANISH_DAYPART.lastIndex;
  const half: Half = spanishHalf(hour, daypart?.[1], daypart?.[2]);
  return timeOf(text, at - lead.length - 1, stop, hour, minute, half);
}

/** fr "à deux heures et demie", "vers onze heures". */
function french(text: string, at: number, end: number): ClockTimeMention | undefined {
  const word = wordBefore(text, at);
  let hour = HOUR_NUMBER[word] ?? 0;
  const wordStart = at - 1 - word.length;
  if (hour === 0 || !FRENCH_LEAD.has(wordBefore(text, wordStart))) return undefined;
  let minute = 0;
  let stop = end;
  FRENCH_TAIL.lastIndex = end;
  const tail = FRENCH_TAIL.exec(text);
  if (tail !== null) {
    if (tail[1] !== undefined) minute = tail[1] === 'demie' ? 30 : 15;
    else [hour, minute] = [previousHour(hour), 45];
    stop = FRENCH_TAIL.lastIndex;
  }
  return timeOf(text, wordStart, stop, hour, minute, null);
}

function wordAfter(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  const match = pattern.exec(text);
  return match === null ? 0 : HOUR_NUMBER[match[1]];
}

function previousHour(hour: number): number {
  return hour === 1 ? 12 : hour - 1;
}

function timeOf(text: string, start: number, end: number, hour: number, minute: number, half: Half): ClockTimeMention | undefined {
  return clockTime(start, end, text.slice(start, end), hour, minute, half, false);
}
