import { describe, expect, it } from 'vitest';
import { builtinChecks, CheckInputError, createPriceCheck, runChecks } from '../../src/checks/index.ts';
import type { Conversation, GroundingSource, Turn } from '../../src/model/conversation.ts';
import { tool, user } from './builders.ts';

/** The checks' verdicts on one reply: check name → [label, ungrounded values, derived values]. */
function verdicts(reply: string, ...sources: GroundingSource[]): Record<string, [string | undefined, unknown, unknown]> {
  const conversation: Conversation = { id: 'c', sources };
  const turn: Turn = { conversationId: 'c', traceId: 't', spanId: 's', reply: [], replyText: reply, toolCalls: [] };
  return Object.fromEntries(runChecks(builtinChecks, turn, conversation).map((r) => [r.name, [r.label, r.details?.ungrounded_values, r.details?.derived_values]]));
}
const label = (check: string, reply: string, ...sources: GroundingSource[]) => verdicts(reply, ...sources)[check]?.[0];

const nightly = tool({ room: 'Garden', nightly_rate: 170, currency: 'EUR' });
const cart = tool({ items: [{ name: 'A', price: 12.5 }, { name: 'B', price: 8 }, { name: 'C', price: 4.25 }], currency: 'EUR' });
const fee = tool({ amount: 44.97, service_pct: 10, currency: 'EUR' });
const bill = tool({ amount: 120, credit_applied: 35, currency: 'EUR' });

/** The same derivations, written in each language the checks read. */
const LANGUAGES = {
  en: { count: 'For two nights that is €340.', countWrong: 'For two nights that is €360.', total: 'Your total is €24.75.', totalWrong: 'Your total is €26.75.', rounded: 'The service charge is about €4.', roundedWrong: 'The service charge is about €5.', less: 'With the 10% off it is €40.47.', more: 'With the 10% service it is €49.47.', minus: 'After the credit you owe €85.00.' },
  es: { count: 'Por dos noches son 340 €.', countWrong: 'Por dos noches son 360 €.', total: 'El total es de 24,75 €.', totalWrong: 'El total es de 26,75 €.', rounded: 'El cargo es de unos 4 €.', roundedWrong: 'El cargo es de unos 5 €.', less: 'Con el 10 % menos son 40,47 €.', more: 'Con el 10 % de servicio son 49,47 €.', minus: 'Tras el descuento paga 85,00 €.' },
  de: { count: 'Für zwei Nächte sind das 340 €.', countWrong: 'Für zwei Nächte sind das 360 €.', total: 'Die Summe beträgt 24,75 €.', totalWrong: 'Die Summe beträgt 26,75 €.', rounded: 'Die Gebühr liegt bei etwa 4 €.', roundedWrong: 'Die Gebühr liegt bei etwa 5 €.', less: 'Mit 10 % Rabatt sind es 40,47 €.', more: 'Mit 10 % Aufschlag sind es 49,47 €.', minus: 'Nach Abzug zahlen Sie 85,00 €.' },
  fr: { count: 'Pour deux nuits, cela fait 340 €.', countWrong: 'Pour deux nuits, cela fait 360 €.', total: 'Le total est de 24,75 €.', totalWrong: 'Le total est de 26,75 €.', rounded: 'Les frais sont d’environ 4 €.', roundedWrong: 'Les frais sont d’environ 5 €.', less: 'Avec 10 % de moins, cela fait 40,47 €.', more: 'Avec 10 % de service, cela fait 49,47 €.', minus: 'Après déduction, vous payez 85,00 €.' },
  it: { count: 'Per due notti sono 340 €.', countWrong: 'Per due notti sono 360 €.', total: 'Il totale è di 24,75 €.', totalWrong: 'Il totale è di 26,75 €.', rounded: 'Il servizio costa circa 4 €.', roundedWrong: 'Il servizio costa circa 5 €.', less: 'Con il 10 % in meno sono 40,47 €.', more: 'Con il 10 % di servizio sono 49,47 €.', minus: 'Dopo lo sconto paga 85,00 €.' },
  pt: { count: 'Por duas noites são 340 €.', countWrong: 'Por duas noites são 360 €.', total: 'O total é de 24,75 €.', totalWrong: 'O total é de 26,75 €.', rounded: 'A taxa é de cerca de 4 €.', roundedWrong: 'A taxa é de cerca de 5 €.', less: 'Com 10 % a menos são 40,47 €.', more: 'Com 10 % de serviço são 49,47 €.', minus: 'Depois do desconto paga 85,00 €.' },
  nl: { count: 'Voor twee nachten is dat € 340.', countWrong: 'Voor twee nachten is dat € 360.', total: 'Het totaal is € 24,75.', totalWrong: 'Het totaal is € 26,75.', rounded: 'De servicekosten zijn ongeveer € 4.', roundedWrong: 'De servicekosten zijn ongeveer € 5.', less: 'Met 10 % korting is het € 40,47.', more: 'Met 10 % service is het € 49,47.', minus: 'Na aftrek betaalt u € 85,00.' },
} as const;

describe.each(Object.entries(LANGUAGES))('derivations the design allows, in %s', (_lang, replies) => {
  it('a grounded unit price × a count the reply itself states; another count or price fails', () => {
    expect(label('commitment.price', replies.count, nightly)).toBe('pass');
    expect(verdicts(replies.count, nightly)['commitment.price']?.[2]).toEqual([expect.stringContaining('170.00 × 2 (a count the reply states) [product]')]);
    expect(label('commitment.price', replies.countWrong, nightly)).toBe('fail');
  });

  it('a total of three line items of one tool result; a wrong total fails', () => {
    expect(verdicts(replies.total, cart)['commitment.price']).toEqual(['pass', [], [expect.stringMatching(/= 4\.25 \+ 8\.00 \+ 12\.50 \[total\]$/)]]);
    expect(label('commitment.price', replies.totalWrong, cart)).toBe('fail');
  });

  it('a percentage applied both ways, and rounded to whole units only when the reply writes whole units', () => {
    expect(label('commitment.price', replies.less, fee)).toBe('pass'); // 44.97 − 4.497 = 40.473
    expect(label('commitment.price', replies.more, fee)).toBe('pass');
    expect(label('commitment.price', replies.rounded, fee)).toBe('pass'); // 4.497 → 4
    expect(label('commitment.price', replies.roundedWrong, fee)).toBe('fail');
  });

  it('an amount minus a grounded credit', () => {
    expect(label('commitment.price', replies.minus, bill)).toBe('pass');
  });
});

describe('line-item totals are bounded', () => {
  const five = tool({ items: [1, 2, 3, 4, 5].map((n) => ({ name: `item ${n}`, price: n * 1.1 })), currency: 'EUR' });
  const turn = (reply: string): Turn => ({ conversationId: 'c', traceId: 't', spanId: 's', reply: [], replyText: reply, toolCalls: [] });
  it('up to four items by default; maxLineItems raises or lowers it', () => {
    const conversation = { id: 'c', sources: [five] };
    // 1.10 + 2.20 + 3.30 + 4.40 = 11.00; all five = 16.50
    expect(createPriceCheck().evaluate(turn('That is €11.00.'), conversation)[0]?.label).toBe('pass');
    expect(createPriceCheck().evaluate(turn('That is €16.50.'), { ...conversation })[0]?.label).toBe('fail');
    expect(createPriceCheck({ maxLineItems: 5 }).evaluate(turn('That is €16.50.'), { ...conversation })[0]?.label).toBe('pass');
    expect(createPriceCheck({ maxLineItems: 2 }).evaluate(turn('That is €11.00.'), { ...conversation })[0]?.label).toBe('fail');
  });

  it('maxLineItems must be an integer from 1 to 12: the search is exponential in it', () => {
    expect(() => createPriceCheck({ maxLineItems: Number.NaN })).toThrow('maxLineItems must be an integer from 1 to 12, got number NaN');
    expect(() => createPriceCheck({ maxLineItems: 40 })).toThrow(CheckInputError);
    expect(() => createPriceCheck({ maxLineItems: '4' as never })).toThrow(CheckInputError);
  });

  it('items of different sources are not a total (each source is its own receipt)', () => {
    expect(label('commitment.price', 'That is €6.60.', tool({ a: 1.1 }), tool({ b: 2.2 }), tool({ c: 3.3 }))).toBe('fail');
    expect(label('commitment.price', 'That is €6.60.', tool({ a: 1.1, b: 2.2, c: 3.3 }))).toBe('pass');
  });

  it('a count in the reply multiplies a price, not a number it writes as money or time', () => {
    expect(label('commitment.price', 'It is €1.00 each, so €340 at 3 PM.', tool({ unit_price: 1.0, currency: 'EUR' }))).toBe('fail');
    expect(label('commitment.price', 'Three tickets at €12.00 come to €36.00.', user('Tickets?'), tool({ price: 12, currency: 'EUR' }))).toBe('pass');
  });
});
