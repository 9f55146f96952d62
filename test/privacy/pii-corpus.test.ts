import { describe, expect, it } from 'vitest';
import { PiiMasker } from '../../src/privacy/index.ts';
import { leaks, PII_CORPUS } from './pii-corpus.ts';

const masker = new PiiMasker();

describe('the masker on a PII corpus (EN/ES/DE/FR, every kind and spelling)', () => {
  it.each(PII_CORPUS)('%s', (_kind, sentence, value) => {
    const [masked] = masker.maskConversation([sentence]);
    expect(leaks(masked!, value), masked).toBe(false);
    expect(masked).toMatch(/<[A-Z_]+_1>/);
  });

  it('keeps what the checks need: prices, clock times, booking dates, order numbers', () => {
    const text = 'Your table for 4 on 2026-03-14 at 19:30 costs €120.00; order 7731-2290, ticket 48213, refund of 45,00 € by 01/04/2026.';
    expect(masker.maskConversation([text])).toEqual([text]);
  });
});
