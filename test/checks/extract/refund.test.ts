import { describe, expect, it } from 'vitest';
import { readReplyFacts } from '../../../src/checks/index.ts';

/** Refund values and other (price) amounts of a reply, as written. */
function split(text: string): { refunds: string[]; prices: string[] } {
  const facts = readReplyFacts(text);
  return { refunds: facts.refunds.map((r) => r.text), prices: facts.prices.map((p) => p.text) };
}

describe('refund commitments', () => {
  it.each([
    ['en refund', 'We will refund $45.00 to your card.', ['$45.00']],
    ['en refunded after', 'Your $36 deposit will be refunded.', ['$36']],
    ['en reimburse', "You'll be reimbursed 80% of the fare.", ['80%']],
    ['en credit', 'I applied a $10 credit to your account.', ['$10']],
    ['en store credit', 'We can offer $80.00 in store credit.', ['$80.00']],
    ['en money back', 'You get 100% of your money back.', ['100%']],
    ['en back after an amount', "We'll send you $45 back.", ['$45']],
    ['en reversal', "I've reversed the $95 annual fee.", ['$95']],
    ['es reembolso', 'Le reembolsaremos 60,00 € en 5 días.', ['60,00 €']],
    ['es reembolsar (accent)', 'Se le reembolsará el 50 % del importe.', ['50 %']],
    ['es devolución', 'La devolución de 45 € ya está en curso.', ['45 €']],
    ['es abono', 'Le hemos hecho un abono provisional de 54,30 €.', ['54,30 €']],
    ['de Erstattung', 'Die Erstattung von 85,00 € ist veranlasst.', ['85,00 €']],
    ['de erstatten', 'Wir erstatten Ihnen 30 €.', ['30 €']],
    ['de Rückerstattung', 'Ihre Rückerstattung über 20 € ist unterwegs.', ['20 €']],
    ['de zurückerstattet', 'Ihre Anzahlung von 20 € wird zurückerstattet.', ['20 €']],
    ['de Gutschrift', 'Sie erhalten eine Gutschrift über 95 €.', ['95 €']],
    ['de gutgeschrieben', 'Wir haben Ihnen 349,00 € gutgeschrieben.', ['349,00 €']],
    ['de separable verb', 'Wir schreiben Ihnen die 4,80 € gut.', ['4,80 €']],
    ['fr remboursement', 'Un remboursement de 30 € sera effectué.', ['30 €']],
    ['fr rembourser', 'Nous vous remboursons 50 % du tarif.', ['50 %']],
    ['fr avoir', 'Nous vous accordons un avoir de 10 €.', ['10 €']],
    ['fr crédit', 'Nous avons crédité votre compte de 129,90 €.', ['129,90 €']],
  ])('%s', (_kind, text, refunds) => {
    expect(split(text).refunds).toEqual(refunds);
  });

  it('takes a value that restates the refund just before it', () => {
    expect(split('We refund 50% of the price, that is $22.50.').refunds).toEqual(['50%', '$22.50']);
    expect(split('Nous remboursons 50 % du tarif, soit 15 €.').refunds).toEqual(['50 %', '15 €']);
  });

  it('keeps other amounts of the same reply as prices', () => {
    expect(split('Your order of $120 ships today and we will refund $45.')).toEqual({ refunds: ['$45'], prices: ['$120'] });
    expect(split('The jacket was $120 and we refunded $45.')).toEqual({ refunds: ['$45'], prices: ['$120'] });
    expect(split("You'll be refunded $109.65 of the $129.00.")).toEqual({ refunds: ['$109.65'], prices: ['$129.00'] });
  });
});

describe('not refund commitments', () => {
  it.each([
    ['a refund without an amount', 'Your refund will arrive within 5 business days.'],
    ['a percentage that is a discount', 'The lamp is 20% off, and 98% of customers love it.'],
    ['a percentage far from the refund word', 'A refund is possible. Separately, our fee is 3% of the amount.'],
  ])('%s', (_kind, text) => {
    expect(split(text).refunds).toEqual([]);
  });

  it.each([
    ['credit card', 'We charged $59.00 to your credit card.', ['$59.00']],
    ['tarjeta de crédito', 'Cargamos 59 € en su tarjeta de crédito.', ['59 €']],
    ['carte de crédit', 'Nous avons débité 59 € sur votre carte de crédit.', ['59 €']],
    ['non-refundable', 'The $15 booking fee is non-refundable.', ['$15']],
    ['not refunded', 'Los 4,95 € del envío no se reembolsan.', ['4,95 €']],
    ['French avoir as a verb', 'Vous pouvez avoir 20 € de réduction.', ['20 €']],
    ['call us back', 'The visit is $120; call us back any time.', ['$120']],
    ['rendez-vous', 'Votre rendez-vous coûte 30 €.', ['30 €']],
  ])('%s: the amount stays a price', (_kind, text, prices) => {
    expect(split(text)).toEqual({ refunds: [], prices });
  });
});
