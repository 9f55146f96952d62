import { describe, expect, it } from 'vitest';
import { builtinChecks, readReplyFacts, runChecks } from '../../src/checks/index.ts';
import type { Conversation, GroundingSource, Turn } from '../../src/model/conversation.ts';
import { tool } from './builders.ts';

function labels(reply: string, ...sources: GroundingSource[]): Record<string, string | undefined> {
  const conversation: Conversation = { id: 'c', sources };
  const turn: Turn = { conversationId: 'c', traceId: 't', spanId: 's', reply: [], replyText: reply, toolCalls: [] };
  return Object.fromEntries(runChecks(builtinChecks, turn, conversation).map((r) => [r.name, r.label]));
}

const source = tool({ order: '55120', price: 89.9, deposit: 30, slots: ['14:30', '16:00'], currency: 'EUR' });

describe.each([
  ['it', 'Le rimborseremo 30 € di acconto.', 'Le rimborseremo 50 € di acconto.', 'Il prezzo è 89,90 €; l’acconto di 30 € non è rimborsabile.'],
  ['pt', 'Vamos reembolsar os 30 € do sinal.', 'Vamos estornar 50 € na sua conta.', 'O preço é 89,90 €; o sinal de 30 € não é reembolsável.'],
  ['nl', 'We betalen de aanbetaling van € 30 terug.', 'We storten € 50 terug op uw rekening.', 'De prijs is € 89,90; de aanbetaling van € 30 wordt niet vergoed.'],
])('refunds in %s', (_lang, grounded, invented, notRefunded) => {
  it('a refund is checked as a refund: grounded passes, invented fails', () => {
    expect(labels(grounded, source)).toEqual({ 'commitment.refund': 'pass' });
    expect(labels(invented, source)).toEqual({ 'commitment.refund': 'fail' });
  });
  it('an amount named as not refunded is a price, not a refund', () => {
    expect(labels(notRefunded, source)).toEqual({ 'commitment.price': 'pass' });
  });
});

describe.each([
  ['en', 'We have added a $15 gift card to your account.', 'The gift card is $45.'],
  ['en', 'As a goodwill gesture, here is a $15 voucher.', 'A $15 voucher costs $15.'],
  ['de', 'Als Kulanz erhalten Sie einen Gutschein über 15 €.', 'Der Gutschein kostet 45 €.'],
  ['es', 'Le enviamos un vale de 15 € para su próxima compra.', '¿Cuánto vale? El bono cuesta 45 €.'],
  ['fr', 'Nous vous offrons un bon d’achat de 15 €.', 'Le bon d’achat coûte 45 €.'],
  ['it', 'Le abbiamo emesso un buono di 15 €.', 'Un buon prezzo: 45 €.'],
  ['pt', 'Oferecemos-lhe um vale de 15 € para a próxima compra.', 'O vale custa 45 €.'],
  ['nl', 'U krijgt een tegoedbon van € 15.', 'De tegoedbon kost € 45.'],
])('refunds phrased as credits (%s)', (_lang, credit, priced) => {
  it('a credit given is a refund (here invented: 15 is nowhere); a voucher that is priced is sold', () => {
    expect(labels(credit, tool({ total: 45, currency: 'EUR' }))).toEqual({ 'commitment.refund': 'fail' });
    expect(labels(priced, tool({ price: 45, currency: 'EUR' }))).toEqual({ 'commitment.price': expect.stringMatching(/pass|fail/) });
    expect(labels(priced, tool({ price: 45, currency: 'EUR' }))['commitment.refund']).toBeUndefined();
  });
});

describe.each([
  ['it', 'Ci vediamo giovedì alle 14:30.', 'Ci vediamo giovedì alle 15:15.', 'Il trattamento dura 2 ore; ordine 14301 del 12/03.'],
  ['pt', 'Até quinta às 14h30.', 'Até quinta às 15h.', 'A entrega demora 5 dias; encomenda 14301 de 12/03.'],
  ['nl', 'Tot donderdag om 14.30 uur.', 'Tot donderdag om 15 uur.', 'De reparatie duurt 3 uur; bestelling 14301 van 12-03.'],
])('clock times in %s', (_lang, grounded, invented, noTime) => {
  it('reads the language’s clock times; durations, order numbers and dates are no commitment', () => {
    expect(labels(grounded, source)).toEqual({ 'commitment.time': 'pass' });
    expect(labels(invented, source)).toEqual({ 'commitment.time': 'fail' });
    expect(readReplyFacts(noTime).times).toEqual([]);
    expect(labels(noTime, source)).toEqual({});
  });
});

describe('a credit card is a means of payment, not a credit, in every language', () => {
  it.each([
    'Pagato con carta di credito: 45 €.',
    'Pago con tarjeta de crédito: 45 €.',
    'Pago com cartão de crédito: 45 €.',
    'Payé par carte de crédit : 45 €.',
    'Paid by credit card: €45.',
  ])('%s', (reply) => {
    expect(labels(reply, tool({ price: 45, currency: 'EUR' }))).toEqual({ 'commitment.price': 'pass' });
  });
});

describe('a discount code or a balance is no refund', () => {
  it.each([
    ['Use voucher code SAVE10 for 10% off: the jacket is then €80.', { 'commitment.price': 'pass' }],
    ['Mit dem Gutscheincode SAVE10 kostet die Jacke 80 €.', { 'commitment.price': 'pass' }],
    ['Uw beltegoed is € 80.', { 'commitment.price': 'pass' }],
    ['We zetten € 80 als tegoed op uw account.', { 'commitment.refund': 'pass' }],
  ])('%s', (reply, expected) => {
    expect(labels(reply, tool({ price: 80, currency: 'EUR' }))).toEqual(expected);
  });
});
