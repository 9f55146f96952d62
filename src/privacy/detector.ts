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
  /**
   * Finds the candidates itself instead of `pattern` (which then only documents the shape): for a
   * kind whose matches hinge on a rare character or word, a scan from it is much cheaper than a
   * regex tried at every position (measured: the e-mail regex was half of all detection time).
   */
  readonly find?: (text: string) => readonly number[];
  readonly accept?: (match: string) => boolean;
  /** Like `accept`, with the text around the match (a birth date is one only near a birth word). */
  readonly acceptIn?: (text: string, start: number, end: number) => boolean;
  /** The identity of a value, so `A@x.com` and `a@x.com` share a placeholder. */
  readonly normalize?: (match: string) => string;
  /** A candidate that fails `accept` still keeps other detectors off its text. */
  readonly claimRejected?: boolean;
  /** What every match contains: a text without it is not scanned at all (most text has no `@`, many no digit). */
  readonly requires?: '@' | ':' | 'digit';
}
