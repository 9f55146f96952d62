import { describe, expect, it } from 'vitest';
import { AFTER_NUMBER, qualifierAt } from '../../src/checks/extract/after-number.ts';
import { PREFIXED_TAIL, tailMayFollow } from '../../src/checks/extract/money.ts';
import { isJsSpace } from '../../src/checks/extract/number.ts';
import { dayMonthYearEnd } from '../../src/checks/extract/scan.ts';
import { oneLine } from '../../src/checks/commitment-result.ts';
import { GroundingIndex } from '../../src/checks/grounding.ts';
import { COUNT_WORDS, FULL_REFUND, endsWithIdentifierName } from '../../src/checks/source-facts.ts';
import { decisionCases } from './decisions-golden.ts';

// Each fast path of the extraction stands for a slower reading kept here as the reference;
// they must agree on every text the decision fingerprints use (labelled replies and sources,
// bench texts, 3,000 seeded variations) at every position where the fast path is taken.
const texts = [...new Set(decisionCases().flatMap((decisionCase) => [decisionCase.text, ...(decisionCase.sources ?? []).map((source) => String(source.text))]))];

function positionsAfterDigits(text: string): number[] {
  const positions: number[] = [];
  for (let i = 1; i <= text.length; i++) {
    const code = text.charCodeAt(i - 1);
    if (code >= 48 && code <= 57) positions.push(i);
  }
  return positions;
}

function groups(match: ArrayLike<string | undefined> | null): (string | undefined)[] | null {
  return match === null ? null : Array.from({ length: 9 }, (_, i) => match[i]);
}

describe('fast paths read as the patterns they stand for', () => {
  it(`qualifierAt builds the match AFTER_NUMBER finds after "45 €", "20 %" (${texts.length} texts, every position after a digit)`, () => {
    let built = 0;
    for (const text of texts) {
      for (const at of positionsAfterDigits(text)) {
        const qualifier = qualifierAt(text, at);
        if (qualifier === null) continue;
        AFTER_NUMBER.lastIndex = at;
        const expected = groups(AFTER_NUMBER.exec(text));
        if (!(qualifier instanceof Array && 'index' in qualifier)) built++;
        if (JSON.stringify(groups(qualifier)) !== JSON.stringify(expected)) expect(groups(qualifier), `${JSON.stringify(text)} at ${at}`).toEqual(expected);
      }
    }
    expect(built).toBeGreaterThan(500);
  });

  it('tailMayFollow is false only where PREFIXED_TAIL takes nothing', () => {
    let skipped = 0;
    for (const text of texts) {
      for (const at of positionsAfterDigits(text)) {
        if (tailMayFollow(text, at)) continue;
        skipped++;
        PREFIXED_TAIL.lastIndex = at;
        const tail = PREFIXED_TAIL.exec(text);
        if (tail?.[0] !== '') expect(tail?.[0], `${JSON.stringify(text)} at ${at}`).toBe('');
      }
    }
    expect(skipped).toBeGreaterThan(10_000);
  });

  it('dayMonthYearEnd ends a date where the day.month.year pattern does', () => {
    const DAY_MONTH_YEAR = /\d{1,2}([./])\d{1,2}\1\d{2,4}(?!\d)/y;
    let dates = 0;
    for (const text of [...texts, '1.2.25', '12/11/2026', '1.12.99999', '3/4/5', '12.5.2024.', '31.12.', '7/7/77x']) {
      for (let at = 0; at < text.length; at++) {
        const code = text.charCodeAt(at);
        if (code < 48 || code > 57) continue;
        DAY_MONTH_YEAR.lastIndex = at;
        const expected = DAY_MONTH_YEAR.test(text) ? DAY_MONTH_YEAR.lastIndex : -1;
        if (expected !== -1) dates++;
        if (dayMonthYearEnd(text, at) !== expected) expect(dayMonthYearEnd(text, at), `${JSON.stringify(text)} at ${at}`).toBe(expected);
      }
    }
    expect(dates).toBeGreaterThan(20);
  });

  it('endsWithIdentifierName (a sticky lookbehind) agrees with the end-anchored pattern on the 32 characters before every number', () => {
    const ID_WORD_BEFORE =
      /(?<![a-zà-ÿ])(?:order|ticket|case|ref|reference|invoice|account|phone|tel|pedido|orden|factura|bestellung|auftrag|rechnung|kundennummer|commande|facture|dossier|n[°º]|nr\.?|no\.?|#)\s*[:#]?\s*$/i;
    let named = 0;
    for (const text of [...texts, 'Order ', 'Xorder ', 'order #', 'Nr.  :  ', 'n° ', 'case#', 'reference\n', 'ORDER: #']) {
      for (let end = 0; end <= text.length; end++) {
        const before = text.slice(Math.max(0, end - 32), end);
        const expected = ID_WORD_BEFORE.test(before);
        if (expected) named++;
        if (endsWithIdentifierName(before) !== expected) expect(endsWithIdentifierName(before), JSON.stringify(before)).toBe(expected);
      }
    }
    expect(named).toBeGreaterThan(100);
  });

  it('count words and full refunds need a space, so a text without one is not searched for them', () => {
    for (const pattern of [COUNT_WORDS, FULL_REFUND]) {
      expect(pattern.source).not.toMatch(/\\s/); // a space is written as one; \s would also match a tab or a newline
      for (const text of texts) {
        const spaceless = text.replaceAll(' ', '_');
        pattern.lastIndex = 0;
        expect(pattern.test(spaceless), spaceless).toBe(false);
        pattern.lastIndex = 0;
      }
      expect(texts.some((text) => ((pattern.lastIndex = 0), pattern.test(text)))).toBe(true);
      pattern.lastIndex = 0;
    }
  });

  it('isJsSpace is \\s of a regular expression, for every UTF-16 code unit', () => {
    for (let code = 0; code < 0x10000; code++) {
      if (isJsSpace(code) !== /\s/.test(String.fromCharCode(code))) expect(isJsSpace(code), code.toString(16)).toBe(!isJsSpace(code));
    }
  });

  it('derivations name their operands as toFixed(2) would', () => {
    const amounts = [1, 5, 10, 99, 100, 101, 4_599, 8_990, 123_456_789, 999_999_999_999_99, 999_999_999_999_999, 1e15 + 2, 2 ** 52];
    for (const a of amounts) {
      for (const b of amounts) {
        if (a === b) continue;
        const index = new GroundingIndex();
        index.addAmount(a, null, true);
        index.addAmount(b, null, true);
        expect(index.supportOf(a + b, null)).toEqual({ step: 'sum', from: `${(a / 100).toFixed(2)} + ${(b / 100).toFixed(2)}` });
      }
    }
  });

  it('oneLine puts a quote on one line as replace(/\\s+/g, " ").trim() does', () => {
    for (const text of [...texts, '', ' ', 'a  b', ' a', 'a ', 'a\tb', 'a\u00a0b', 'a\nb', 'a b']) {
      for (let from = 0; from < text.length; from += 17) {
        const quoted = text.slice(from, from + 80);
        expect(oneLine(quoted)).toBe(quoted.replace(/\s+/g, ' ').trim());
      }
      expect(oneLine(text)).toBe(text.replace(/\s+/g, ' ').trim());
    }
  });
});
