import { describe, expect, it } from 'vitest';
import { GroundingIndex, groundingIndexFor } from '../../src/checks/index.ts';
import type { GroundingSource } from '../../src/model/conversation.ts';
import { conversationOf, retrieved, source, system, tool, user } from './builders.ts';

const indexOf = (...sources: GroundingSource[]) => new GroundingIndex().update(sources);
const dollars = (amount: number) => Math.round(amount * 100);

describe('GroundingIndex: where a value may come from', () => {
  it.each([
    ['a tool result', tool({ price: 45, currency: 'USD' })],
    ['system instructions', system('A standard visit costs $45.')],
    ['an earlier user message', user('I was charged $45 twice.')],
    ['retrieved context', retrieved('Price list: haircut 45.00')],
  ])('grounds an amount stated in %s', (_where, stated) => {
    expect(indexOf(stated).supportOf(dollars(45), '$')).toEqual({ step: 'stated' });
  });

  it('does not take the agent\'s own text: an assistant source is skipped and counted', () => {
    const agent = { kind: 'assistant_message', text: 'The deluxe package is $240.' } as unknown as GroundingSource;
    const index = indexOf(agent, user('How much is the deluxe package?'));
    expect(index.supportOf(dollars(240), '$')).toBeUndefined();
    expect(index.skippedSources).toBe(1);
  });

  it('grounds times in tool results, incl. ISO date-times with an offset', () => {
    const index = indexOf(tool({ slots: ['14:30', '15:00'], start: '2026-11-24T09:15:00+01:00' }));
    expect(index.hasTime(14 * 60 + 30)).toBe(true);
    expect(index.hasTime(9 * 60 + 15)).toBe(true);
    expect(index.hasTime(10 * 60)).toBe(false);
    expect(index.hasTime(60)).toBe(false); // the +01:00 offset is no time
  });

  it('reads money in minor units from *_cents keys', () => {
    expect(indexOf(tool({ amount_cents: 4500 })).supportOf(4500, 'USD')).toEqual({ step: 'stated' });
  });

  it('does not take identifiers as amounts', () => {
    const index = indexOf(tool({ order: '4599', transaction_id: 8812, total: 45.99 }), user('Order 7731 arrived broken.'));
    expect(index.supportOf(dollars(4599), '$')).toBeUndefined();
    expect(index.supportOf(dollars(8812), '$')).toBeUndefined();
    expect(index.supportOf(dollars(7731), '$')).toBeUndefined();
    expect(index.supportOf(dollars(45.99), '$')).toEqual({ step: 'stated' });
  });
});

describe('GroundingIndex: currencies', () => {
  it('lets a number without currency ground an amount in any currency', () => {
    expect(indexOf(tool('{"price":"45.00"}')).supportOf(dollars(45), '$')).toBeDefined();
  });

  it('does not let a different explicit currency ground', () => {
    expect(indexOf(tool('Price: EUR 45')).supportOf(dollars(45), '$')).toBeUndefined();
    expect(indexOf(tool({ price: 45, currency: 'EUR' })).supportOf(dollars(45), '$')).toBeUndefined();
    expect(indexOf(tool({ price: 45, currency: 'EUR' })).supportOf(dollars(45), 'EUR')).toBeDefined();
  });

  it('lets "$" agree with the dollar currencies only', () => {
    const index = indexOf(tool('Fee: USD 12.00'));
    expect(index.supportOf(1200, '$')).toBeDefined();
    expect(index.supportOf(1200, 'CAD')).toBeUndefined();
  });
});

describe('GroundingIndex: one-step derivations', () => {
  it('sum of two grounded amounts', () => {
    expect(indexOf(tool({ price: 45 }), tool({ fee: 10 })).supportOf(dollars(55), '$')).toMatchObject({ step: 'sum' });
  });

  it('difference of two grounded amounts', () => {
    expect(indexOf(tool({ balance: 200.0, pending: 45.5 })).supportOf(dollars(154.5), '$')).toMatchObject({ step: 'difference' });
  });

  it('a grounded amount times a quantity stated in the conversation', () => {
    const index = indexOf(user('Book 2 nights and 3 tickets please.'), tool({ nightly_rate: 120, ticket_price: 18.5 }));
    expect(index.supportOf(dollars(240), '$')).toMatchObject({ step: 'product' });
    expect(index.supportOf(dollars(55.5), '$')).toMatchObject({ step: 'product' });
    expect(indexOf(user('Tickets x3 please.'), tool({ ticket_price: 18.5 })).supportOf(dollars(55.5), '$')).toMatchObject({ step: 'product' });
    expect(indexOf(user('Two flu shots.'), tool({ price_per_dose: 35 })).supportOf(dollars(70), '$')).toMatchObject({ step: 'product' });
  });

  it('a grounded percentage of a grounded amount, and the amount minus or plus it', () => {
    const index = indexOf(system('A 20% deposit is charged at booking.'), tool({ price: 50 }));
    expect(index.supportOf(dollars(10), '$')).toMatchObject({ step: 'percentage' });
    expect(index.supportOf(dollars(40), '$')).toMatchObject({ step: 'percentage' });
    expect(index.supportOf(dollars(60), '$')).toMatchObject({ step: 'percentage' });
  });

  it('takes only one step, but for a total of the line items of one source', () => {
    // 10 + 20 + 31 from three sources needs two additions; from one source it is that source's total.
    const apart = indexOf(tool({ price: 10 }), tool({ price: 20 }), tool({ price: 31 }));
    expect(apart.supportOf(dollars(61), '$')).toBeUndefined();
    expect(apart.supportOf(dollars(30), '$')).toMatchObject({ step: 'sum' });
    const receipt = indexOf(tool([{ price: 10 }, { price: 20 }, { price: 31 }]));
    expect(receipt.supportOf(dollars(61), '$')).toEqual({ step: 'total', from: '10.00 + 20.00 + 31.00' });
    expect(receipt.supportOf(dollars(61), '$', { maxLineItems: 2 })).toBeUndefined();
  });

  it('does not add an amount to itself unless it was stated twice', () => {
    expect(indexOf(tool({ price: 45 })).supportOf(dollars(90), '$')).toBeUndefined();
    expect(indexOf(tool([{ price: 45 }, { price: 45 }])).supportOf(dollars(90), '$')).toMatchObject({ step: 'sum' });
  });

  it('counts one fact once however many sources or spellings carry it: x + x needs two facts of x', () => {
    // A tool result on its tool span, and again re-serialized in the chat span's input.
    const spaced = tool('{"order_id": 55012, "late_fee": 6.0, "currency": "USD"}');
    const compact = tool({ order_id: 55012, late_fee: 6, currency: 'USD' });
    expect(indexOf(spaced, compact).supportOf(dollars(12), 'USD')).toBeUndefined();
    expect(indexOf(spaced, compact, tool(' {"late_fee" : "6.00", "currency":"USD"}')).supportOf(dollars(12), 'USD')).toBeUndefined();
    // Free text: the same words before the same amount, however spaced or quoted.
    expect(indexOf(user('Late fee: $6.00'), retrieved('late fee $6.00')).supportOf(dollars(12), 'USD')).toBeUndefined();
    // Still one step away from a different fact: 6 + 4.
    expect(indexOf(spaced, compact, tool({ shipping: 4 })).supportOf(dollars(10), 'USD')).toMatchObject({ step: 'sum' });
  });

  it('a source that is a JSON string holding JSON grounds what its JSON grounds (its keys and currency kept)', () => {
    const inner = { service_fee_pct: 12, subtotal: 19.0, discount: 4.0, currency: 'USD' };
    const plain = indexOf(tool(inner));
    const wrapped = indexOf(tool(JSON.stringify(JSON.stringify(inner))));
    for (const minor of [800, 1500, 228, 1900, 1200, 1600]) expect([minor, wrapped.supportOf(minor, 'USD')]).toEqual([minor, plain.supportOf(minor, 'USD')]);
    expect(indexOf(user(JSON.stringify('A quoted "text" stays text: $7.00'))).supportOf(dollars(7), 'USD')).toEqual({ step: 'stated' });
  });

  it('two facts of the same amount are two: line items of one source, amounts named differently, the copy of a source with two', () => {
    const items = { items: [{ name: 'Cable', price: 6 }, { name: 'Adapter', price: 6 }], currency: 'USD' };
    expect(indexOf(tool(items)).supportOf(dollars(12), 'USD')).toMatchObject({ step: 'sum', from: '6.00 + 6.00' });
    expect(indexOf(tool(items), tool(JSON.stringify(items, null, 2))).supportOf(dollars(12), 'USD')).toMatchObject({ step: 'sum' });
    expect(indexOf(user('I was charged $6 for shipping and another $6 for handling.')).supportOf(dollars(12), 'USD')).toMatchObject({ step: 'sum' });
    expect(indexOf(tool({ late_fee: 6, currency: 'USD' }), tool({ shipping: 6, currency: 'USD' })).supportOf(dollars(12), 'USD')).toMatchObject({ step: 'sum' });
  });

  it('does not derive from identifiers, counts or dates', () => {
    const index = indexOf(user('My order 4512 on 2026-03-14 had 3 items.'), tool({ price: 45 }));
    expect(index.supportOf(dollars(45 + 14), '$')).toBeUndefined();
    expect(index.supportOf(dollars(2026 - 45), '$')).toBeUndefined();
  });

  it('does not derive across currencies', () => {
    expect(indexOf(tool('EUR 45'), tool('EUR 10')).supportOf(dollars(55), '$')).toBeUndefined();
  });
});

describe('GroundingIndex: incremental and cached', () => {
  it('reads only the sources appended since the last update', () => {
    const conversation = conversationOf(tool({ price: 45 }));
    const index = groundingIndexFor(conversation);
    expect(index.supportOf(dollars(99), '$')).toBeUndefined();
    conversation.sources.push(tool({ price: 99 }));
    expect(groundingIndexFor(conversation)).toBe(index);
    expect(index.supportOf(dollars(99), '$')).toBeDefined();
    expect(index.supportOf(dollars(45), '$')).toBeDefined();
  });

  it('keeps what dropped sources stated when the owner trims the oldest', () => {
    const conversation = conversationOf(tool({ price: 45 }), tool({ price: 60 }));
    groundingIndexFor(conversation);
    conversation.sources.shift();
    conversation.sources.push(tool({ price: 75 }));
    const index = groundingIndexFor(conversation);
    expect(index.supportOf(dollars(45), '$')).toBeDefined();
    expect(index.supportOf(dollars(75), '$')).toBeDefined();
  });

  it('starts over when the source list was replaced', () => {
    const index = new GroundingIndex().update([tool({ price: 45 })]);
    index.update([tool({ price: 60 })]);
    expect(index.supportOf(dollars(45), '$')).toBeUndefined();
    expect(index.supportOf(dollars(60), '$')).toBeDefined();
  });
});

describe('GroundingIndex: odd sources never throw', () => {
  it('skips sources that are not objects or whose text is unusable, reads structured text as JSON', () => {
    const odd = [
      null,
      42,
      { kind: 'tool_result', text: undefined },
      { kind: 'tool_result', text: { price: 45 } },
      { kind: 'tool_result', text: '' },
      { kind: 'tool_result', text: '\u0000\uFFFF\uD800 $$$ €€ 1,2,3,,, ::: 99:99 12.34.56.78' },
      { kind: 'tool_result', text: '9'.repeat(5000) },
      source('tool_result', '{"price": 1e400, "amount": -45.00}'),
    ] as unknown as GroundingSource[];
    const index = new GroundingIndex();
    expect(() => index.update(odd)).not.toThrow();
    expect(index.skippedSources).toBe(3);
    expect(index.supportOf(dollars(45), '$')).toBeDefined();
  });

  it('bounds how much of a huge source it reads', () => {
    const huge = `${'lorem ipsum '.repeat(100_000)} price 45.00`;
    const index = indexOf(tool(huge));
    expect(index.supportOf(dollars(45), '$')).toBeUndefined();
  });
});
