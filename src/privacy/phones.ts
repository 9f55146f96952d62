import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import type { PiiDetector } from './detector.ts';

const digitsOnly = (text: string): string => text.replace(/\D/g, '');

/** Digits in the text, without building a string (the per-candidate length test). */
function digitCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

/**
 * Whether libphonenumber (Google's metadata, via libphonenumber-js) takes the text as a valid
 * number of `country`, or, written with `+` / `00`, of the country its prefix names. Used on
 * candidates the patterns below found, never to scan text: a scan with every country's rules would
 * take order numbers and dates for German landlines (measured: `7731-2290` and `2026-12-07` parse
 * as valid DE numbers).
 */
function validIn(country: CountryCode | undefined) {
  return (text: string): boolean => {
    const trimmed = text.trim();
    const key = `${country ?? '+'}|${trimmed}`;
    const known = verdicts.get(key);
    if (known !== undefined) return known;
    const international = trimmed.startsWith('+') ? trimmed : trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : undefined;
    const parsed = international !== undefined ? parsePhoneNumberFromString(international) : parsePhoneNumberFromString(trimmed, country);
    const valid = parsed?.isValid() === true;
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(key, valid);
    return valid;
  };
}

/**
 * Verdicts remembered per candidate: a conversation's history is masked again on every chat span,
 * judge call and store write, so the same numbers come back (a parse and validation is ~13 µs).
 * Bounded; cleared when full.
 */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 8_192;

/**
 * Phone numbers in the national formats of the countries we serve (US, UK, ES, DE, FR, IT) and in
 * international ones, with spaces, dots, dashes or none. Patterns find the shape a country writes;
 * libphonenumber confirms the number exists in that plan. After the card, IBAN and id detectors,
 * so their digits are never taken for a phone.
 */
export const phoneDetectors: readonly PiiDetector[] = [
  {
    // International with + (E.164: up to 15 digits), groups of 1–4 digits, brackets around an area code.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\d-])/g,
    accept: (text) => {
      const digits = digitCount(text);
      return digits >= 8 && digits <= 15;
    },
    normalize: digitsOnly,
  },
  {
    // International with 00 (how most of Europe dials out): confirmed by the plan its prefix names.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])00[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\d-])/g,
    accept: validIn(undefined),
    normalize: (text) => digitsOnly(text).slice(2),
  },
  {
    // North American: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\d-])/g,
    normalize: digitsOnly,
  },
  {
    // German mobiles (015x/016x/017x), 11–12 digits: 01512 3456789, 0151-23456789, 015123456789.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])01[5-7]\d{1,2}[ /-]?\d{6,8}(?![\d-])/g,
    accept: validIn('DE'),
    normalize: digitsOnly,
  },
  {
    // French: 06 12 34 56 78, 06.12.34.56.78, 06-12-34-56-78, 0612345678.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])0[1-9](?:[ .-]?\d{2}){4}(?![\d-])/g,
    accept: validIn('FR'),
    normalize: digitsOnly,
  },
  {
    // National trunk-prefix formats (UK 020 7946 0958, 07700 900123; DE 030 12345678): leading 0, 10–11 digits.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])\(?0\d{2,4}\)?[ /.-]?\d{3,4}[ .-]?\d{3,4}(?![\d-])/g,
    accept: (text) => {
      const digits = digitCount(text);
      return digits >= 10 && digits <= 11;
    },
    normalize: digitsOnly,
  },
  {
    // Italian mobiles: 347 123 4567, 347.123.4567, 3471234567.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])3\d{2}[ .-]?\d{3}[ .-]?\d{3,4}(?![\d-])/g,
    accept: validIn('IT'),
    normalize: digitsOnly,
  },
  {
    // Spanish: 612 345 678, 612.345.678, 612-345-678, and compact mobiles 612345678 (6/7 only: a
    // compact 9-digit number starting 8/9 is as likely an order number).
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])(?:[6789]\d{2}[ .-]\d{3}[ .-]\d{3}|[67]\d{8})(?![\d-])/g,
    accept: validIn('ES'),
    normalize: digitsOnly,
  },
  {
    // US compact (2125550123): ten digits, confirmed by the North American plan.
    kind: 'PHONE',
    requires: 'digit',
    pattern: /(?<![\d-])[2-9]\d{2}[2-9]\d{6}(?![\d-])/g,
    accept: validIn('US'),
    normalize: digitsOnly,
  },
];
