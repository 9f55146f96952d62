import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, PiiMasker, PiiPatternError, spanishIdValid, steuerIdValid } from '../../src/privacy/index.ts';

const masker = new PiiMasker();
const mask = (text: string): string => masker.maskConversation([text])[0]!;

describe('PiiMasker: each kind is masked', () => {
  it.each([
    ['e-mail', 'write to Jane.Doe+shop@mail.example.co.uk today', 'write to <EMAIL_1> today'],
    ['international phone', 'call +44 20 7946 0958 now', 'call <PHONE_1> now'],
    ['international phone with area code in brackets', 'call +1 (555) 123-4567', 'call <PHONE_1>'],
    ['US national phone', 'call (555) 123-4567 or 555.123.4567', 'call <PHONE_1> or <PHONE_1>'],
    ['UK national phone', 'ring 020 7946 0958 or 07700 900123', 'ring <PHONE_1> or <PHONE_2>'],
    ['German national phone', 'Tel. 030 12345678', 'Tel. <PHONE_1>'],
    ['Spanish phone', 'llámame al 612 345 678', 'llámame al <PHONE_1>'],
    ['card number with spaces', 'card 4111 1111 1111 1111 expires', 'card <CARD_1> expires'],
    ['card number with dashes', 'card 5500-0000-0000-0004', 'card <CARD_1>'],
    ['IBAN with spaces', 'IBAN GB82 WEST 1234 5698 7654 32.', 'IBAN <IBAN_1>.'],
    ['IBAN compact', 'pay to DE89370400440532013000', 'pay to <IBAN_1>'],
    ['US SSN', 'SSN 123-45-6789', 'SSN <SSN_1>'],
    ['UK NINO', 'NI number AB 12 34 56 C', 'NI number <NINO_1>'],
    ['Spanish DNI', 'DNI 12345678Z', 'DNI <NATIONAL_ID_1>'],
    ['Spanish NIE', 'NIE X-1234567-L', 'NIE <NATIONAL_ID_1>'],
    ['German Steuer-ID', 'Steuer-ID 86095742719', 'Steuer-ID <TAX_ID_1>'],
  ])('%s', (_kind, input, expected) => {
    expect(mask(input)).toBe(expected);
  });
});

describe('PiiMasker: look-alikes that fail their check digit are kept', () => {
  it.each([
    ['16-digit order number failing Luhn', 'order 4111111111111112 shipped'],
    ['16-digit grouped number failing Luhn', 'ref 4111 1111 1111 1112'],
    ['IBAN failing mod-97', 'IBAN GB82 WEST 1234 5698 7654 33'],
    ['DNI with the wrong letter', 'DNI 12345678A'],
    ['SSN with area 000', 'id 000-12-3456'],
    ['NINO with a forbidden prefix', 'NI QQ 12 34 56 C'],
    ['11 digits failing the Steuer-ID check', 'ref 12345678903'],
  ])('%s', (_kind, input) => {
    expect(mask(input)).toBe(input);
  });
});

describe('PiiMasker: what the checks need survives', () => {
  it('keeps prices, times, dates, order and case numbers next to masked data', () => {
    const text =
      'Hi jane@example.com, your total is $1,250.00 (3 x 19.99 EUR) at 14:30 on 2026-03-14; order 7731-2290, case 55-10293, ' +
      'ticket #48213, refund of 12.50 € by 2026-04-01. Call +34 612 345 678.';
    expect(mask(text)).toBe(
      'Hi <EMAIL_1>, your total is $1,250.00 (3 x 19.99 EUR) at 14:30 on 2026-03-14; order 7731-2290, case 55-10293, ' +
        'ticket #48213, refund of 12.50 € by 2026-04-01. Call <PHONE_1>.',
    );
  });
});

describe('PiiMasker: placeholders', () => {
  it('gives the same value the same placeholder across one conversation, and a new value the next number', () => {
    const [first, second, third] = masker.maskConversation([
      'I am ana@example.com, my phone is 555-123-4567',
      'Sorry, write to ANA@example.com or to bob@example.com',
      'or (555) 123-4567 again',
    ]);
    expect(first).toBe('I am <EMAIL_1>, my phone is <PHONE_1>');
    expect(second).toBe('Sorry, write to <EMAIL_1> or to <EMAIL_2>');
    expect(third).toBe('or <PHONE_1> again');
  });

  it('starts a new numbering for a new conversation', () => {
    expect(masker.maskConversation(['bob@example.com'])).toEqual(['<EMAIL_1>']);
    expect(masker.maskConversation(['carol@example.com'])).toEqual(['<EMAIL_1>']);
  });

  it('masks strings inside JSON values (tool arguments), keys included', () => {
    const session = masker.session();
    expect(session.maskValue({ email: 'x@example.com', nested: [{ 'x@example.com': 'card 4111111111111111' }], amount: 12.5 })).toEqual({
      email: '<EMAIL_1>',
      nested: [{ '<EMAIL_1>': 'card <CARD_1>' }],
      amount: 12.5,
    });
  });

  it('the judge redactor keeps values consistent across calls and stays bounded', () => {
    const redact = masker.redactor({ maxRemembered: 2 });
    expect(redact('a@example.com')).toBe('<EMAIL_1>');
    expect(redact('b@example.com and a@example.com')).toBe('<EMAIL_2> and <EMAIL_1>');
    // The third distinct value starts a new numbering rather than growing without bound.
    expect(redact('c@example.com')).toBe('<EMAIL_1>');
  });
});

describe('PiiMasker: configurable patterns', () => {
  it('masks operator patterns after the built-in kinds, with their own stem', () => {
    const custom = new PiiMasker({ patterns: [{ name: 'CUSTOMER_ID', pattern: 'CUST-\\d{6}' }] });
    expect(custom.maskConversation(['CUST-123456 and CUST-123456 and CUST-654321'])).toEqual(['<CUSTOMER_ID_1> and <CUSTOMER_ID_1> and <CUSTOMER_ID_2>']);
  });

  it('can switch a built-in kind off', () => {
    expect(new PiiMasker({ disable: ['TAX_ID'] }).maskConversation(['86095742719'])).toEqual(['86095742719']);
  });

  it('rejects a bad pattern naming its index and source', () => {
    expect(() => new PiiMasker({ patterns: [{ name: 'OK', pattern: '(' }] })).toThrow(PiiPatternError);
    expect(() => new PiiMasker({ patterns: [{ name: 'OK', pattern: '(' }] })).toThrow('privacy.patterns[0].pattern: not a valid regular expression');
    expect(() => new PiiMasker({ patterns: [{ name: 'lower', pattern: 'x' }] })).toThrow('privacy.patterns[0].name');
    expect(() => new PiiMasker({ patterns: [{ name: 'EMPTY', pattern: 'x*' }] })).toThrow('matches the empty string');
  });
});

describe('check digits', () => {
  it('Luhn, mod-97, DNI/NIE letter and Steuer-ID', () => {
    expect([luhnValid('4111111111111111'), luhnValid('4111111111111112'), luhnValid('abc')]).toEqual([true, false, false]);
    expect([ibanValid('GB82WEST12345698765432'), ibanValid('GB82WEST12345698765433'), ibanValid('GB82')]).toEqual([true, false, false]);
    expect([spanishIdValid('12345678Z'), spanishIdValid('X1234567L'), spanishIdValid('12345678A'), spanishIdValid('X12345678L')]).toEqual([true, true, false, false]);
    expect([steuerIdValid('86095742719'), steuerIdValid('86095742718'), steuerIdValid('01234567890')]).toEqual([true, false, false]);
  });
});
