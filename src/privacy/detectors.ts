import { ibanValid, luhnValid, spanishIdValid, steuerIdValid } from './checksums.ts';

/**
 * One kind of personal data. `pattern` finds candidates; `accept` confirms one
 * (a check digit). A rejected card-like run still claims its text
 * (`claimRejected`), so a 16-digit order number that fails Luhn is not then
 * half-eaten by a phone pattern.
 */
export interface PiiDetector {
  /** Placeholder stem: `EMAIL` → `<EMAIL_1>`. */
  readonly kind: string;
  /** Must have the `g` flag. */
  readonly pattern: RegExp;
  readonly accept?: (match: string) => boolean;
  /** The identity of a value, so `A@x.com` and `a@x.com` share a placeholder. */
  readonly normalize?: (match: string) => string;
  /** A candidate that fails `accept` still keeps other detectors off its text. */
  readonly claimRejected?: boolean;
}

const digitsOnly = (text: string): string => text.replace(/\D/g, '');
const compactUpper = (text: string): string => text.replace(/[\s-]/g, '').toUpperCase();

/**
 * Built-in detectors, in priority order: earlier ones claim text first.
 * Boundaries use lookarounds rather than `\b` so that `7731-2290` (an order
 * number) is never taken as part of a longer phone-like run.
 */
export const builtinDetectors: readonly PiiDetector[] = [
  {
    kind: 'EMAIL',
    pattern: /(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g,
    normalize: (text) => text.toLowerCase(),
  },
  {
    kind: 'IBAN',
    pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g,
    accept: ibanValid,
    normalize: compactUpper,
  },
  {
    // 13–19 digits in groups separated by single spaces or dashes (ISO/IEC 7812).
    kind: 'CARD',
    pattern: /(?<![\d+-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    accept: (text) => luhnValid(digitsOnly(text)),
    claimRejected: true,
    normalize: digitsOnly,
  },
  {
    // US SSN: area not 000/666/9xx, group not 00, serial not 0000 (SSA rules).
    kind: 'SSN',
    pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g,
    normalize: digitsOnly,
  },
  {
    // UK National Insurance number (HMRC NIM39110): prefix letters exclude D F I Q U V (and O second), suffix A–D.
    kind: 'NINO',
    pattern: /(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g,
    normalize: compactUpper,
  },
  {
    kind: 'NATIONAL_ID',
    pattern: /(?<![A-Za-z0-9])(?:[XYZ]-?\d{7}|\d{8})-?[A-Z](?![A-Za-z0-9])/g,
    accept: spanishIdValid,
    normalize: compactUpper,
  },
  {
    kind: 'TAX_ID',
    pattern: /(?<![\d])[1-9]\d(?: ?\d){9}(?![\d])/g,
    accept: (text) => steuerIdValid(digitsOnly(text)),
    normalize: digitsOnly,
  },
  {
    // International: + country code, then 6–14 more digits in groups (E.164 allows 15 in all).
    kind: 'PHONE',
    pattern: /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\d-])/g,
    accept: (text) => digitsOnly(text).length >= 8 && digitsOnly(text).length <= 15,
    normalize: digitsOnly,
  },
  {
    // North American: (555) 123-4567, 555-123-4567, 555.123.4567.
    kind: 'PHONE',
    pattern: /(?<![\d-])(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\d-])/g,
    normalize: digitsOnly,
  },
  {
    // National trunk-prefix formats (UK 020 7946 0958, 07700 900123; DE 030 12345678): leading 0, 10–11 digits.
    kind: 'PHONE',
    pattern: /(?<![\d-])\(?0\d{2,4}\)?[ /-]?\d{3,4}[ -]?\d{3,4}(?![\d-])/g,
    accept: (text) => digitsOnly(text).length >= 10 && digitsOnly(text).length <= 11,
    normalize: digitsOnly,
  },
  {
    // Spanish mobiles and landlines without trunk prefix: 612 345 678, 912 345 678.
    kind: 'PHONE',
    pattern: /(?<![\d-])[6789]\d{2} \d{3} \d{3}(?![\d-])/g,
    normalize: digitsOnly,
  },
];
