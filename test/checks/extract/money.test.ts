import { describe, expect, it } from 'vitest';
import { extractMoney } from '../../../src/checks/index.ts';

const amounts = (text: string) => extractMoney(text).map((m) => [m.text, m.minor, m.currency]);

describe('extractMoney: formats', () => {
  it.each([
    ['The cut is $55.', [['$55', 5500, '$']]],
    ['Total: $1,250.00 including tax', [['$1,250.00', 125000, '$']]],
    ['That is US$ 45 or C$60.', [['US$ 45', 4500, 'USD'], ['C$60', 6000, 'CAD']]],
    ['The fee is 45 USD, or USD 45.', [['45 USD', 4500, 'USD'], ['USD 45', 4500, 'USD']]],
    ['$45 USD exactly', [['$45 USD', 4500, 'USD']]],
    ['It costs 45 dollars, about 20 pounds or 50 bucks.', [['45 dollars', 4500, '$'], ['20 pounds', 2000, 'GBP'], ['50 bucks', 5000, '$']]],
    ['A budget of $2k, or 3K €, or €1.5k.', [['$2k', 200000, '$'], ['3K €', 300000, 'EUR'], ['€1.5k', 150000, 'EUR']]],
    ['Only 50 cents more.', [['50 cents', 50, null]]],
  ])('en: %s', (text, expected) => {
    expect(amounts(text)).toEqual(expected);
  });

  it.each([
    ['La consulta cuesta 60 € y el análisis 18,50 €.', [['60 €', 6000, 'EUR'], ['18,50 €', 1850, 'EUR']]],
    ['Son 1.250,00 € en total, o 45 euros al mes.', [['1.250,00 €', 125000, 'EUR'], ['45 euros', 4500, 'EUR']]],
    ['El vuelo sale por 300 dólares.', [['300 dólares', 30000, '$']]],
  ])('es: %s', (text, expected) => {
    expect(amounts(text)).toEqual(expected);
  });

  it.each([
    ['Die Beratung kostet 85,00 € bzw. 85 Euro.', [['85,00 €', 8500, 'EUR'], ['85 Euro', 8500, 'EUR']]],
    ['Der Preis: 1.250,00 EUR, Rabattpreis 45,- €.', [['1.250,00 EUR', 125000, 'EUR'], ['45,- €', 4500, 'EUR']]],
    ['In der Schweiz CHF 45.– oder Fr. 50', [['CHF 45.–', 4500, 'CHF'], ['Fr. 50', 5000, 'CHF']]],
    ["Schweizer Schreibweise: CHF 1'250.50", [["CHF 1'250.50", 125050, 'CHF']]],
  ])('de: %s', (text, expected) => {
    expect(amounts(text)).toEqual(expected);
  });

  it.each([
    ['La facture est de 1 250,00 € (espace simple).', [['1 250,00 €', 125000, 'EUR']]],
    ['La facture est de 1\u202f250,00 € (espace fine insécable).', [['1\u202f250,00 €', 125000, 'EUR']]],
    ['La facture est de 1\u00a0250,00\u00a0€ (espace insécable).', [['1\u00a0250,00\u00a0€', 125000, 'EUR']]],
    ['Le forfait coûte 9,99 €/mois ou 30 euros.', [['9,99 €', 999, 'EUR'], ['30 euros', 3000, 'EUR']]],
  ])('fr: %s', (text, expected) => {
    expect(amounts(text)).toEqual(expected);
  });

  it('reads an amount without a currency after a price verb', () => {
    expect(amounts('The Pro plan costs 14.99 per month.')).toEqual([['14.99', 1499, null]]);
    expect(amounts('Der Tarif kostet 29,90 monatlich.')).toEqual([['29,90', 2990, null]]);
  });
});

describe('extractMoney: what is not money', () => {
  it.each([
    ['order, ticket, case and reference numbers', 'Order #45120, ticket 4521, case 00123, ref ABC-889 and booking BK-77120.'],
    ['phone numbers', 'Call +1 800 555 0199 or 0800 123 456, or +34 910 555 123.'],
    ['versions', 'Update to v2.3.1, iOS 17.2 or driver 4.12.'],
    ['counts and quantities', 'You have 3 items in the cart for 2 nights and 4 guests.'],
    ['durations', 'Refunds arrive within 5 business days; the visit takes 30 minutes, or 2 hours at most.'],
    ['dates of birth and dates', 'Born 12/05/1990, visit on 2024-03-01, renewal 24.11.2026.'],
    ['percentages outside a refund', 'Our satisfaction rate is 98% and the discount is 20 %.'],
    ['years', 'Since 2019, and again in 2024.'],
    ['es', 'Su pedido 88213 llegará en 3 días; llame al 91 555 12 34.'],
    ['de', 'Bestellung 100482, Rückruf unter 030 1234567, Dauer ca. 10 Minuten.'],
    ['fr', 'Commande C-20931, version 2.8, livraison sous 48 heures.'],
  ])('%s', (_kind, text) => {
    expect(extractMoney(text)).toEqual([]);
  });

  it('keeps the price next to an order number apart from it', () => {
    expect(amounts('Order #45120 came to $134.99.')).toEqual([['$134.99', 13499, '$']]);
    expect(amounts('Bestellung 4711 45,00 € bezahlt')).toEqual([['45,00 €', 4500, 'EUR']]);
  });

  it('reports spans that point at the amount in the text', () => {
    const text = 'Your order is $45.00 today.';
    const [money] = extractMoney(text);
    expect(text.slice(money.start, money.end)).toBe('$45.00');
  });
});
