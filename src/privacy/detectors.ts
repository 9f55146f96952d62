import { frenchNirValid, ibanValid, luhnValidGrouped, spanishIdValid, steuerIdValid } from './checksums.ts';
import { phoneDetectors } from './phones.ts';

export type { PiiDetector } from './detector.ts';
import type { PiiDetector } from './detector.ts';

const digitsOnly = (text: string): string => text.replace(/\D/g, '');

/** Words before an SSN written without dashes (EN; ES/DE/FR speakers write the US term too). */
const SSN_CONTEXT = /(?:\bSSN|\bsocial security(?: number| no\.?)?|\bSS#|\bseguro social)\W{0,12}(?:is|es|ist|est|:)?\W{0,6}$/i;
/** Numeric dates (31/12/1985, 31.12.85, 1985-12-31) and written ones (12 March 1985, 12 de marzo de 1985, 12. März 1985, 12 mars 1985). */
const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|' +
  'enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|' +
  'januar|februar|märz|maerz|mai|juni|juli|oktober|dezember|' +
  'janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre';
const DATE_PATTERN = new RegExp(
  `(?<![\\d])(?:\\d{1,2}[./-]\\d{1,2}[./-](?:\\d{4}|\\d{2})|\\d{4}-\\d{2}-\\d{2}|\\d{1,2}\\.? (?:de )?(?:${MONTHS})\\.?,? (?:de )?\\d{4}|(?:${MONTHS}) \\d{1,2},? \\d{4})(?![\\d])`,
  'giu',
);
const compactUpper = (text: string): string => text.replace(/[\s-]/g, '').toUpperCase();

const EMAIL_SHAPE = new RegExp(`^${/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.[\p{L}]{2,}/u.source}$`, 'u');
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function isLocalChar(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 0x80) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || char === '.' || char === '_' || char === '%' || char === '+' || char === '-';
  return LETTER_OR_DIGIT.test(char);
}

function isDomainChar(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 0x80) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || char === '.' || char === '-';
  return LETTER_OR_DIGIT.test(char);
}

/** E-mail addresses, found from each `@` outwards (the same shape as the EMAIL pattern): [start, end, start, end, …]. */
function findEmails(text: string): number[] {
  const found: number[] = [];
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > lastEnd && isLocalChar(text[start - 1]!)) start--;
    let end = at + 1;
    while (end < text.length && isDomainChar(text[end]!)) end++;
    // A sentence's full stop or a dash after the address is not part of it.
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
    if (start === at || end === at + 1) continue;
    if (!EMAIL_SHAPE.test(text.slice(start, end))) continue;
    lastEnd = end;
    found.push(start, end);
  }
  return found;
}

const BIRTH_WORD = /\b(?:born|birth(?:day|date)?|DOB|d\.o\.b\.|nacid[oa]|nacimiento|cumpleaños|geboren|geb\.|Geburts(?:datum|tag)|n[ée]e?(?=[\s:,])|naissance)/gi;
const DATE_AT = new RegExp(DATE_PATTERN.source, 'iuy');

/** Dates within 40 characters after a birth word: found from the (rare) word, not at every digit. */
function findBirthDates(text: string): number[] {
  const found: number[] = [];
  BIRTH_WORD.lastIndex = 0;
  let after = 0;
  for (let word = BIRTH_WORD.exec(text); word !== null; word = BIRTH_WORD.exec(text)) {
    const from = word.index + word[0].length;
    const limit = Math.min(text.length, from + 40);
    for (let at = Math.max(from, after); at < limit; at++) {
      const code = text.charCodeAt(at);
      if (code === 46 || code === 10) break; // a full stop or a line ends the phrase
      const isDigit = code >= 48 && code <= 57;
      const isLetter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
      if (!isDigit && !isLetter) continue;
      if (at > 0 && /[\d]/.test(text[at - 1]!)) continue;
      DATE_AT.lastIndex = at;
      const date = DATE_AT.exec(text);
      if (date === null) continue;
      after = at + date[0].length;
      found.push(at, after);
      break;
    }
  }
  return found;
}

const IPV6_SHAPE = new RegExp(
  `^(?:(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})$`,
);

function isHexOrColon(code: number): boolean {
  return code === 58 || (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** IPv6 addresses, found from their colons: a run of hex digits and colons with three colons or `::` (a clock time has one or two). */
function findIpv6(text: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(':'); at !== -1; ) {
    let start = at;
    while (start > 0 && isHexOrColon(text.charCodeAt(start - 1))) start--;
    let end = at;
    while (end < text.length && isHexOrColon(text.charCodeAt(end))) end++;
    const before = start > 0 ? text.charCodeAt(start - 1) : 32;
    const afterCode = end < text.length ? text.charCodeAt(end) : 32;
    const run = text.slice(start, end);
    const boundaries = !/[\w]/.test(String.fromCharCode(before)) && !/[\w]/.test(String.fromCharCode(afterCode));
    if (boundaries && (run.includes('::') || run.split(':').length >= 4) && IPV6_SHAPE.test(run)) found.push(start, end);
    at = text.indexOf(':', end + 1);
  }
  return found;
}

/**
 * Built-in detectors, in priority order: earlier ones claim text first.
 * Boundaries use lookarounds rather than `\b` so that `7731-2290` (an order
 * number) is never taken as part of a longer phone-like run.
 */
export const builtinDetectors: readonly PiiDetector[] = [
  {
    // Local part and domain in any script (IDN), plus-addressing; case folded for the identity.
    kind: 'EMAIL',
    requires: '@',
    pattern: /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.[\p{L}]{2,}(?![\p{L}\p{N}-])/gu,
    find: findEmails,
    normalize: (text) => text.toLowerCase(),
  },
  {
    // Any case, spaced in fours or compact; mod-97 decides.
    kind: 'IBAN',
    // Spaced in groups of four (the last shorter), or compact: so a word after it is never taken in.
    pattern: /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?|[A-Za-z0-9]{11,30})(?![A-Za-z0-9])/g,
    accept: ibanValid,
    normalize: compactUpper,
  },
  {
    // 13–19 digits in groups separated by single spaces, dashes or dots (ISO/IEC 7812); Luhn decides.
    kind: 'CARD',
    // No card number starts with 0 (ISO/IEC 7812 MII 0 is not issued): `0049 1512…` is a phone.
    pattern: /(?<![\d+-])[1-9](?:[ .-]?\d){12,18}(?![\d-])/g,
    accept: luhnValidGrouped,
    claimRejected: true,
    normalize: digitsOnly,
  },
  {
    // French NIR (numéro de sécurité sociale): sex, year, month, département (2A/2B), commune, order, key mod 97.
    kind: 'NATIONAL_ID',
    requires: 'digit',
    pattern: /(?<![\dA-Za-z])[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}(?![\dA-Za-z])/g,
    accept: frenchNirValid,
    normalize: compactUpper,
  },
  {
    // US SSN with dashes: area not 000/666/9xx, group not 00, serial not 0000 (SSA rules).
    kind: 'SSN',
    requires: 'digit',
    pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g,
    normalize: digitsOnly,
  },
  {
    // US SSN with spaces or none: nine digits are too common alone, so only after an SSN word.
    kind: 'SSN',
    requires: 'digit',
    pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3} ?(?!00)\d{2} ?(?!0000)\d{4}(?![\d-])/g,
    acceptIn: (text, start) => SSN_CONTEXT.test(text.slice(Math.max(0, start - 40), start)),
    normalize: digitsOnly,
  },
  {
    // UK National Insurance number (HMRC NIM39110): prefix letters exclude D F I Q U V (and O second), suffix A–D.
    kind: 'NINO',
    requires: 'digit',
    pattern: /(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g,
    normalize: compactUpper,
  },
  {
    kind: 'NATIONAL_ID',
    requires: 'digit',
    pattern: /(?<![A-Za-z0-9])(?:[XYZxyz]-?\d{7}|\d{8})-?[A-Za-z](?![A-Za-z0-9])/g,
    accept: spanishIdValid,
    normalize: compactUpper,
  },
  {
    kind: 'TAX_ID',
    requires: 'digit',
    pattern: /(?<![\d])[1-9]\d(?: ?\d){9}(?![\d])/g,
    accept: (text) => steuerIdValid(digitsOnly(text)),
    normalize: digitsOnly,
  },
  {
    // A date of birth: a date only after a birth word (a booking date stays, the checks need it).
    kind: 'BIRTH_DATE',
    requires: 'digit',
    pattern: DATE_PATTERN,
    find: findBirthDates,
  },
  {
    kind: 'IP_ADDRESS',
    requires: 'digit',
    // A full stop after it ends the sentence, not the address: only a dot followed by a digit continues it.
    pattern: /(?<!\d|\d\.)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g,
  },
  {
    // IPv6: four groups or more, or a `::` (so 14:30:00 is a time, not an address).
    kind: 'IP_ADDRESS',
    requires: ':',
    find: findIpv6,
    pattern: /(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})(?![\w:])/g,
    acceptIn: (text, start, end) => /[:]{2}|(?:[0-9A-Fa-f]{1,4}:){3}/.test(text.slice(start, end)),
    normalize: (text) => text.toLowerCase(),
  },
  ...phoneDetectors,
];
