import { describe, expect, it } from 'vitest';
import {
  CheckInputError, DEFAULT_MAX_SCANNED_CHARS, builtinChecks, createPriceCheck, priceCheck, refundCheck, runChecks, timeCheck,
} from '../../src/checks/index.ts';
import type { Turn } from '../../src/model/conversation.ts';
import { conversationOf, system, tool, turnOf, user } from './builders.ts';

const salon = conversationOf(
  system('Deposits are refundable up to 48 hours before the appointment.'),
  user('How much is the premium cut, and is Jade free on Saturday?'),
  tool({ service: 'Premium cut', price: 65, currency: 'USD', deposit: 20, free: ['10:00', '14:30'] }),
);

describe('commitment.price', () => {
  it('passes when every amount is grounded, with a score of 1', () => {
    const [result] = priceCheck.evaluate(turnOf('The premium cut is $65, with a $20 deposit.'), salon);
    expect(result).toMatchObject({ name: 'commitment.price', label: 'pass', score: 1, source: 'deterministic' });
    expect(result.details).toEqual({ values_checked: 2, ungrounded_values: [] });
  });

  it('fails naming each ungrounded amount with the words around it', () => {
    const [result] = priceCheck.evaluate(turnOf('Sure! The premium cut is $89.99 including wash and style, and the deposit is $20.'), salon);
    expect(result).toMatchObject({ label: 'fail', score: 0 });
    expect(result.explanation).toBe('ungrounded price "$89.99" in "Sure! The premium cut is $89.99 including wash and style, and…"');
    expect(result.details).toEqual({ values_checked: 2, ungrounded_values: ['$89.99'] });
  });

  it('names every ungrounded amount once', () => {
    const [result] = priceCheck.evaluate(turnOf('It is $89.99. Yes, $89.99, or $120 with color.'), salon);
    expect(result.details?.ungrounded_values).toEqual(['$89.99', '$120']);
    expect(result.explanation).toMatch(/^ungrounded price "\$89\.99" in ".*"; ungrounded price "\$120" in ".*"$/);
  });

  it('says which amounts it derived in one step', () => {
    const [result] = priceCheck.evaluate(turnOf('Cut and deposit together: $85.'), salon);
    expect(result).toMatchObject({ label: 'pass' });
    expect(result.explanation).toContain('"$85" = 65.00 + 20.00');
  });

  it('returns nothing when the reply states no amount', () => {
    expect(priceCheck.evaluate(turnOf('Jade is lovely. See you soon!'), salon)).toEqual([]);
  });
});

describe('commitment.time', () => {
  it('passes a time from a slot list and fails one that no source has', () => {
    expect(timeCheck.evaluate(turnOf('Jade is free at 2:30 PM.'), salon)).toMatchObject([{ name: 'commitment.time', label: 'pass', score: 1 }]);
    const [result] = timeCheck.evaluate(turnOf('Jade is free at 4 PM on Saturday.'), salon);
    expect(result).toMatchObject({ label: 'fail', score: 0, details: { values_checked: 1, ungrounded_values: ['4 PM'] } });
    expect(result.explanation).toBe('ungrounded time "4 PM" in "Jade is free at 4 PM on Saturday."');
  });
});

describe('commitment.refund', () => {
  it('fails an ungrounded refund amount and leaves it out of the price check', () => {
    const turn = turnOf('Cancelled: we will refund your $25 deposit.');
    expect(refundCheck.evaluate(turn, salon)).toMatchObject([{ name: 'commitment.refund', label: 'fail', details: { ungrounded_values: ['$25'] } }]);
    expect(priceCheck.evaluate(turn, salon)).toEqual([]);
  });

  it('fails an ungrounded refund percentage and passes a stated one', () => {
    const policy = conversationOf(system('Cancellation: 50% refund up to 7 days before.'));
    expect(refundCheck.evaluate(turnOf("You'll get a 75% refund."), policy)).toMatchObject([{ label: 'fail' }]);
    expect(refundCheck.evaluate(turnOf("You'll get a 50% refund."), policy)).toMatchObject([{ label: 'pass' }]);
  });
});

describe('malformed and huge replies', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\t\u00a0 '],
    ['control characters', '\u0000\u0001$\u0000€'],
    ['lone surrogates', '\uD800$45\uDFFF'],
  ])('%s reply: no commitment, no throw', (_kind, text) => {
    expect(runChecks(builtinChecks, turnOf(text), salon).filter((r) => r.label === 'fail' || r.error)).toEqual([]);
  });

  it('checks only the first 64 KiB of a 1 MB reply and says so', () => {
    const filler = 'We are happy to help you with your booking today. '.repeat(20_000); // ~1 MB
    const reply = `The premium cut is $89.99. ${filler} Also $1,000,000 at 11:11 PM.`;
    const results = runChecks(builtinChecks, turnOf(reply), salon);
    expect(results).toHaveLength(1);
    const [price] = results;
    expect(price).toMatchObject({ name: 'commitment.price', label: 'fail', details: { truncated: true, ungrounded_values: ['$89.99'] } });
    expect(price.explanation).toContain(`only its first ${DEFAULT_MAX_SCANNED_CHARS} characters were checked`);
  });

  it('takes the scan limit from its options', () => {
    const check = createPriceCheck({ maxScannedChars: 10 });
    const [result] = check.evaluate(turnOf('Only $65. And then $89.99 later.'), salon);
    expect(result).toMatchObject({ label: 'pass', details: { values_checked: 1, truncated: true } });
  });

  it('throws a typed error naming the field when replyText is not a string', () => {
    const turn = { ...turnOf(''), replyText: 42 } as unknown as Turn;
    expect(() => priceCheck.evaluate(turn, salon)).toThrow(CheckInputError);
    expect(() => priceCheck.evaluate(turn, salon)).toThrow('turn.replyText must be a string, got number 42');
  });

  it('treats a conversation without a source list as one with no sources', () => {
    const [result] = priceCheck.evaluate(turnOf('It is $65.'), { id: 'x' } as never);
    expect(result).toMatchObject({ label: 'fail' });
  });
});

describe('the per-turn reading is shared, not stale', () => {
  it('re-reads a reply when a different turn comes, even with the same text', () => {
    const first = turnOf('It is $65.');
    const second = turnOf('It is $65.');
    const other = conversationOf(tool({ price: 70 }));
    expect(priceCheck.evaluate(first, salon)).toMatchObject([{ label: 'pass' }]);
    expect(priceCheck.evaluate(second, other)).toMatchObject([{ label: 'fail' }]);
  });
});

describe('bounded results', () => {
  it('lists at most 20 ungrounded values and counts the rest', () => {
    const reply = Array.from({ length: 50 }, (_, i) => `Item ${i + 1} is $${i + 100}.`).join(' ');
    const [result] = priceCheck.evaluate(turnOf(reply), salon);
    expect(result.details?.values_checked).toBe(50);
    expect(result.details?.ungrounded_values).toHaveLength(20);
    expect(result.details?.ungrounded_unlisted).toBe(30);
    expect(result.explanation).toMatch(/; and 30 more ungrounded price values$/);
  });
});
