import { forEachJsonNumber } from './extract/json-number.ts';
import { scanSourceValues } from './extract/scan.ts';
import { scanTimeWords } from './extract/time-words.ts';
import { DEFAULT_KEY_VOCABULARY } from './source-keys.ts';
import type { KeyVocabulary } from './source-keys.ts';

/** What a grounding source states, as the grounding index records it. */
export interface GroundingFactsSink {
  /**
   * `operand`: clearly money (a currency, cents, a price key or word), so usable in a one-step derivation.
   * `fact`: what the amount is an amount of, as the source names it — its JSON key, or the word before
   * it in free text, as a hash (`nameHash`) — so that one fact read from several sources or spellings
   * counts once.
   */
  addAmount(minor: number, currency: string | null, operand: boolean, fact?: number): void;
  addQuantity(quantity: number): void;
  addPercent(percent: number): void;
  addTime(minutes: number): void;
}

/** Sources are read liberally (stating more only grounds more) but not unboundedly. */
export const MAX_SOURCE_SCANNED_CHARS = 1 << 20;

const CURRENCY_FIELD = /"(?:currency|currency_code|currencyCode|moneda|divisa|waehrung|währung|devise|valuta|moeda|moneta|munt)"\s*:\s*"([A-Za-z]{3})"/g;
/**
 * A count word before a word ("two nights"). Not inside a word: that is checked on each
 * match (WORD_CHAR on the character before), not by a leading lookbehind, which made the
 * engine test every position (measured: half this regex's time on tool results).
 */
export const COUNT_WORDS =
  /(two|three|four|five|six|seven|eight|nine|ten|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|deux|trois|quatre|cinq|sept|huit|neuf|dix|tre|quattro|cinque|sette|otto|dieci|dois|duas|três|quatro|sete|oito|dez|twee|drie|vijf|zes|zeven|negen|tien) (?=[A-Za-z\u00C0-\u024F])/gi;
const WORD_CHAR = /[A-Za-z\u00C0-\u024F]/i;
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
  zwei: 2, drei: 3, vier: 4, fünf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9, zehn: 10,
  deux: 2, trois: 3, quatre: 4, cinq: 5, sept: 7, huit: 8, neuf: 9, dix: 10,
  // it (not "due", English "due to", nor "sei", German "sei es"), pt, nl
  tre: 3, quattro: 4, cinque: 5, sette: 7, otto: 8, dieci: 10,
  dois: 2, duas: 2, três: 3, quatro: 4, sete: 7, oito: 8, dez: 10,
  twee: 2, drie: 3, vijf: 5, zes: 6, zeven: 7, negen: 9, tien: 10,
};
export const FULL_REFUND =
  /full refund|refund in full|fully refund|reembolso (?:completo|total|íntegro)|(?:vollständige|volle) (?:Rück)?[Ee]rstattung|vollständig (?:zurück)?erstattet|remboursement (?:intégral|total|complet)|intégralement rembours/i;

/**
 * Nor are numbers written right after an identifier's name ("order 4599", "Nr. 4711", "#4521").
 * Tried at the end of the 32 characters before the number (sticky, at their length) as a
 * lookbehind: one backward attempt where `…\s*$` tried every start (measured: ~40% less).
 */
const ID_WORD_BEFORE =
  /(?<=(?<![a-zà-ÿ])(?:order|ticket|case|ref|reference|invoice|account|phone|tel|pedido|orden|factura|bestellung|auftrag|rechnung|kundennummer|commande|facture|dossier|n[°º]|nr\.?|no\.?|#)\s*[:#]?\s*)/iy;
const MONEY_WORD_BEFORE =
  /(?:price|cost|costs|total|amount|fee|rate|charge|charged|balance|paid|pay|due|precio|importe|coste|tarifa|cuesta|pagado|cobrado|preis|betrag|summe|gebühr|kosten|kostet|bezahlt|prix|montant|tarif|frais|coût|coûte|payé)[^.\n\d]{0,12}$/i;

/**
 * Reads one source's text into `sink`. JSON `"key": number` pairs are read by
 * the key's meaning first (`*_cents` minor units, `*_pct` percentages, prices,
 * counts); then every money amount, clock time (incl. ISO `…T14:30`),
 * percentage and other number in the text. Dates' parts are no amounts.
 */
export function readSourceFacts(source: string, sink: GroundingFactsSink, keys: KeyVocabulary = DEFAULT_KEY_VOCABULARY): void {
  const text = source.length > MAX_SOURCE_SCANNED_CHARS ? source.slice(0, MAX_SOURCE_SCANNED_CHARS) : source;
  const currency = soleCurrency(text);
  let keyed: Set<number> | undefined;
  forEachJsonNumber(text, (key, digits, digitsStart) => {
    readJsonNumber(keys, key, Number(digits), currency, sink);
    (keyed ??= new Set()).add(digitsStart);
  });
  for (const value of scanSourceValues(text, keyed)) {
    if (value.kind === 'time') {
      sink.addTime(value.minutes);
      if (value.alternate >= 0) sink.addTime(value.alternate);
    } else if (value.kind === 'money') {
      sink.addAmount(value.minor, value.currency, true, nameBefore(text, value.start));
    } else if (value.kind === 'percent') {
      sink.addPercent(value.percent);
    } else {
      const before = text.slice(Math.max(0, value.start - 32), value.start);
      if (endsWithIdentifierName(before)) continue;
      const whole = value.fractionDigits === 0;
      if (value.countsSomething && whole && value.minor >= 200 && value.minor <= 99_900) sink.addQuantity(value.minor / 100);
      const operand = !whole || MONEY_WORD_BEFORE.test(before);
      sink.addAmount(value.minor, currency, operand, operand ? nameBefore(text, value.start) : undefined);
    }
  }
  for (const time of scanTimeWords(text)) sink.addTime(time.minutes);
  // Both patterns need a space; compact JSON (a tool result as JSON.stringify writes it) often has none.
  if (text.indexOf(' ') === -1) return;
  COUNT_WORDS.lastIndex = 0;
  for (let m = COUNT_WORDS.exec(text); m !== null; m = COUNT_WORDS.exec(text)) {
    // Inside a word: go on from the next character, as a lookbehind would have.
    if (m.index > 0 && WORD_CHAR.test(text[m.index - 1])) COUNT_WORDS.lastIndex = m.index + 1;
    else sink.addQuantity(NUMBER_WORDS[m[1].toLowerCase()]);
  }
  if (FULL_REFUND.test(text)) sink.addPercent(100);
}

/** Non-letters skipped back from a value to the word that names it (`"fee": "`, `Fee: $`). */
const MAX_GAP_BEFORE = 12;
const MAX_WORD_BEFORE = 24;

/**
 * The word just before a value in free text ("fee" in `late fee: $6.00` and in `"late_fee":"$6.00"`,
 * whatever the spacing, quoting or case), as `nameHash` would hash it lowercased: with the value, it
 * names the fact. 0 when there is none.
 */
export function nameBefore(text: string, start: number): number {
  let end = start;
  const stop = Math.max(0, start - MAX_GAP_BEFORE);
  while (end > stop && !isWordChar(text.charCodeAt(end - 1))) end--;
  let begin = end;
  const first = Math.max(0, end - MAX_WORD_BEFORE);
  while (begin > first && isWordChar(text.charCodeAt(begin - 1))) begin--;
  return nameHash(text, begin, end, true);
}

/**
 * A fact's name as a small integer (FNV-1a, kept within V8's small-integer range): held per amount
 * where a string per fact cost ~20 bytes of heap per open conversation more. Two names that collide
 * on the same amount and currency count as one fact: a missed sum, never an invented one.
 */
export function nameHash(text: string, begin = 0, end = text.length, lowercase = false): number {
  if (begin >= end) return 0;
  let hash = 0x811c9dc5;
  for (let i = begin; i < end; i++) {
    let code = text.charCodeAt(i);
    if (lowercase && code >= 65 && code <= 90) code += 32;
    hash = Math.imul(hash ^ code, 0x01000193);
  }
  return (hash & 0x3fffffff) | 1;
}

/** Letters (Latin, with accents) and `_`; digits are other values, not names. */
function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7);
}

/** Whether `before` ends with an identifier's name and at most a `:` or `#` ("order ", "Nr. ", "case #"). */
export function endsWithIdentifierName(before: string): boolean {
  ID_WORD_BEFORE.lastIndex = before.length;
  return ID_WORD_BEFORE.test(before);
}

function readJsonNumber(keys: KeyVocabulary, key: string, number: number, currency: string | null, sink: GroundingFactsSink): void {
  if (!Number.isFinite(number)) return;
  const meaning = keys.meaningOf(key);
  if (meaning === 'identifier') return;
  if (meaning === 'minor') {
    sink.addAmount(Math.round(number), currency, true, nameHash(key));
  } else if (meaning === 'percent') {
    sink.addPercent(number);
  } else if (meaning === 'money') {
    sink.addAmount(Math.round(number * 100), currency, true, nameHash(key));
  } else if (meaning === 'percent-or-money') {
    sink.addPercent(number);
    sink.addAmount(Math.round(number * 100), currency, true, nameHash(key));
  } else if (meaning === 'hour') {
    // A whole hour of the day is a clock time, not an amount ("opens_hour": 9 grounds "9:00 AM").
    if (Number.isInteger(number) && number >= 0 && number <= 24) sink.addTime((number % 24) * 60);
  } else {
    const whole = Number.isInteger(number);
    // A small whole number under a key that is neither money nor an identifier counts something
    // ("nights": 2, "permanencia_meses": 12): a quantity a price may be multiplied by.
    if (whole && number >= 2 && number <= 999) sink.addQuantity(number);
    // A count is never money ("floor": 12). A neutral key may still name money in words no list
    // holds ("copago": 15, "acompte": 15 — docs/checks.md measures requiring a currency instead):
    // it grounds the amount stated as it is, and is an operand when it has a fraction (JSON writes
    // 45.5 for 45.50) or its source a currency.
    if (meaning === 'neutral') sink.addAmount(Math.round(number * 100), currency, !whole || currency !== null, nameHash(key));
  }
}

/** The one currency a JSON source declares for its plain numbers (`"currency": "EUR"`), if exactly one. */
function soleCurrency(text: string): string | null {
  let found: string | null = null;
  CURRENCY_FIELD.lastIndex = 0;
  for (let m = CURRENCY_FIELD.exec(text); m !== null; m = CURRENCY_FIELD.exec(text)) {
    const code = m[1].toUpperCase();
    if (found !== null && found !== code) return null;
    found = code;
  }
  return found;
}
