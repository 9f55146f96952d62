import { describe, expect, it } from 'vitest';
import { CheckInputError, createPriceCheck, GroundingIndex, groundingIndexesWith, KeyVocabulary } from '../../src/checks/index.ts';
import type { GroundingSource } from '../../src/model/conversation.ts';
import { tool } from './builders.ts';

const dollars = (amount: number) => Math.round(amount * 100);
const indexOf = (keys: KeyVocabulary, ...sources: GroundingSource[]) => new GroundingIndex(keys).update(sources);
const builtin = new KeyVocabulary();

describe('what a number in a structured source means, by its key', () => {
  it.each([
    ['order_id', 'identifier'],
    ['transactionId', 'identifier'],
    ['amount_cents', 'minor'],
    ['service_fee_pct', 'percent'],
    ['nightly_rate', 'percent-or-money'],
    ['discount', 'percent-or-money'],
    ['rabatt', 'percent-or-money'],
    ['visit_fee', 'money'],
    ['order_value', 'money'],
    ['anzahlung', 'neutral'],
    ['floor', 'count'],
    ['nights', 'count'],
    ['anzahl', 'count'],
    ['value', 'neutral'],
    ['start_hour', 'hour'],
    ['hora', 'hour'],
    ['closingHour', 'hour'],
    ['hours_billed', 'neutral'],
    ['result', 'neutral'],
  ] as const)('%s → %s', (key, meaning) => {
    expect(builtin.meaningOf(key)).toBe(meaning);
  });

  it('a count is a quantity, never an amount: "floor": 12 grounds no $12, but multiplies a price', () => {
    const index = indexOf(builtin, tool({ room: 'Deluxe', floor: 12, beds: 2, nightly_rate: 170, currency: 'USD' }));
    expect(index.supportOf(dollars(12), 'USD')).toBeUndefined();
    expect(index.supportOf(dollars(340), 'USD')).toMatchObject({ step: 'product' });
  });

  it('an hour of the day under an hour key is a clock time, not money: "start_hour": 14 grounds 2:00 PM, not $14', () => {
    const index = indexOf(builtin, tool({ service: 'clinic', start_hour: 14, closingHour: 18, currency: 'USD' }));
    expect(index.hasTime(14 * 60)).toBe(true);
    expect(index.hasTime(18 * 60)).toBe(true);
    expect(index.supportOf(dollars(14), 'USD')).toBeUndefined();
  });

  it('a rate or a discount grounds both readings: 10 % and 10.00', () => {
    const index = indexOf(builtin, tool({ subtotal: 50, discount: 10, currency: 'EUR' }));
    expect(index.hasPercent(10)).toBe(true);
    expect(index.supportOf(dollars(10), 'EUR')).toEqual({ step: 'stated' });
    expect(index.supportOf(dollars(45), 'EUR')).toMatchObject({ step: 'percentage' });
    expect(index.supportOf(dollars(40), 'EUR')).toMatchObject({ step: 'difference' });
  });

  it('a neutral key grounds its number as stated; it is an operand only with a fraction or a currency in its source', () => {
    const bare = indexOf(builtin, tool({ copago: 15, envio: 5 }));
    expect(bare.supportOf(dollars(15), 'EUR')).toEqual({ step: 'stated' });
    expect(bare.supportOf(dollars(20), 'EUR')).toBeUndefined();
    const withCurrency = indexOf(builtin, tool({ copago: 15, envio: 5, moneda: 'EUR' }));
    expect(withCurrency.supportOf(dollars(20), 'EUR')).toMatchObject({ step: 'sum' });
  });

  it("a team's own words come first: money, percent, identifier, count and neutral keys", () => {
    const keys = new KeyVocabulary({ money: ['copago', 'envio'], percent: ['iva'], identifier: ['voucher_code'], count: ['licences'], neutral: ['rate_limit'] });
    expect(keys.meaningOf('copago_total')).toBe('money');
    expect(keys.meaningOf('iva')).toBe('percent');
    expect(keys.meaningOf('gift_voucher_code')).toBe('identifier');
    expect(keys.meaningOf('voucher_code_length')).not.toBe('identifier');
    expect(keys.meaningOf('licences')).toBe('count');
    expect(keys.meaningOf('rate_limit')).toBe('neutral');
    const index = indexOf(keys, tool({ copago: 15, envio: 5, iva: 21, voucher_code: 4711 }));
    expect(index.supportOf(dollars(20), 'EUR')).toMatchObject({ step: 'sum' });
    expect(index.hasPercent(21)).toBe(true);
    expect(index.supportOf(dollars(4711), 'EUR')).toBeUndefined();
  });

  it('malformed key words are refused with the field named (the API is called from JavaScript too)', () => {
    expect(() => new KeyVocabulary({ money: 'copago' } as never)).toThrow('sourceKeys.money must be a list of key words, got string "copago"');
    expect(() => new KeyVocabulary({ count: ['seats', 7] } as never)).toThrow('sourceKeys.count[1] must be a string, got number 7');
    expect(() => new KeyVocabulary(null as never)).toThrow('sourceKeys must be an object of key-word lists, got null');
    expect(() => createPriceCheck({ sourceKeys: { percent: {} } as never })).toThrow(CheckInputError);
  });

  it('blank words are ignored, and words are matched literally (no regular expressions)', () => {
    const keys = new KeyVocabulary({ money: ['  ', 'fee.*'] });
    expect(keys.meaningOf('anything')).toBe('neutral');
    expect(keys.meaningOf('fee.*x')).toBe('money');
  });

  it('checks given sourceKeys read every conversation with them; groundingIndexesWith caches one index per conversation', () => {
    const check = createPriceCheck({ sourceKeys: { count: ['torre'] } });
    const conversation = { id: 'c', sources: [tool({ torre: 12, habitacion: 'Deluxe' })] };
    const turn = { conversationId: 'c', traceId: 't', spanId: 's', reply: [], replyText: 'La habitación cuesta 12 €.', toolCalls: [] };
    expect(check.evaluate(turn, conversation)[0]?.label).toBe('fail');
    expect(createPriceCheck().evaluate(turn, { ...conversation })[0]?.label).toBe('pass');
    const indexFor = groundingIndexesWith({ money: ['copago'] });
    expect(indexFor(conversation)).toBe(indexFor(conversation));
  });
});
