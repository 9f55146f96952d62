/**
 * Personal data as support conversations carry it, EN/ES/DE/FR, every kind and common spelling:
 * `[kind, sentence, planted value]`. Written for the leak tests (masker and every destination).
 */
export const PII_CORPUS: readonly (readonly [string, string, string])[] = [
  ['email', 'Write to Ana.Garcia+shop@Example.COM please', 'Ana.Garcia+shop@Example.COM'],
  ['email IDN', 'mi correo es josé.pérez@correo.es', 'josé.pérez@correo.es'],
  ['email IDN domain', 'meine Adresse: mueller@bücher.de', 'mueller@bücher.de'],
  ['email zero-width', 'mail ana\u200b.lopez@example.com now', 'ana\u200b.lopez@example.com'],
  ['card spaced', 'card 4111 1111 1111 1111 exp 12/29', '4111 1111 1111 1111'],
  ['card dashed', 'Karte 5500-0000-0000-0004', '5500-0000-0000-0004'],
  ['card dotted', 'carte 4111.1111.1111.1111', '4111.1111.1111.1111'],
  ['card compact', 'tarjeta 4111111111111111', '4111111111111111'],
  ['card amex', 'amex 3782 822463 10005', '3782 822463 10005'],
  ['card no-break spaces', 'card 4111\u00a01111\u00a01111\u00a01111', '4111\u00a01111\u00a01111\u00a01111'],
  ['card full-width', 'カード４１１１ １１１１ １１１１ １１１１です', '４１１１ １１１１ １１１１ １１１１'],
  ['IBAN DE spaced', 'IBAN DE89 3704 0044 0532 0130 00 bitte', 'DE89 3704 0044 0532 0130 00'],
  ['IBAN ES compact', 'cuenta ES9121000418450200051332', 'ES9121000418450200051332'],
  ['IBAN FR', 'RIB FR14 2004 1010 0505 0001 3M02 606', 'FR14 2004 1010 0505 0001 3M02 606'],
  ['IBAN GB', 'IBAN GB82 WEST 1234 5698 7654 32.', 'GB82 WEST 1234 5698 7654 32'],
  ['IBAN lower case', 'iban de89370400440532013000', 'de89370400440532013000'],
  ['SSN dashed', 'SSN 123-45-6789', '123-45-6789'],
  ['SSN spaced', 'my social security number is 123 45 6789', '123 45 6789'],
  ['SSN compact', 'SSN: 123456789', '123456789'],
  ['DNI', 'DNI 12345678Z', '12345678Z'],
  ['NIE', 'NIE X1234567L', 'X1234567L'],
  ['NIE lower dashed', 'nie x-1234567-l', 'x-1234567-l'],
  ['FR NIR spaced', 'sécu 2 55 08 14 168 025 38', '2 55 08 14 168 025 38'],
  ['FR NIR compact', 'NIR 255081416802538', '255081416802538'],
  ['DE Steuer-ID', 'Steuer-ID 86095742719', '86095742719'],
  ['DE Steuer-ID spaced', 'Steuer-IdNr. 86 095 742 719', '86 095 742 719'],
  ['UK NINO', 'NI number AB 12 34 56 C', 'AB 12 34 56 C'],
  ['US phone', 'call (202) 456-1111', '(202) 456-1111'],
  ['US phone dotted', 'call 202.456.1111', '202.456.1111'],
  ['US phone compact', 'call 2024561111 today', '2024561111'],
  ['US phone intl', 'call +1 202 456 1111', '+1 202 456 1111'],
  ['UK phone', 'ring 020 7946 0958', '020 7946 0958'],
  ['UK mobile', 'ring 07700 900123', '07700 900123'],
  ['UK intl 00', 'ring 0044 20 7946 0958', '0044 20 7946 0958'],
  ['ES mobile spaced', 'llámame al 612 345 678', '612 345 678'],
  ['ES mobile compact', 'llámame al 612345678', '612345678'],
  ['ES mobile dotted', 'móvil 612.345.678', '612.345.678'],
  ['ES intl', 'teléfono +34 612 345 678', '+34 612 345 678'],
  ['ES intl 00', 'teléfono 0034 612 345 678', '0034 612 345 678'],
  ['DE landline', 'Tel. 030 12345678', '030 12345678'],
  ['DE mobile', 'Handy 01512 3456789', '01512 3456789'],
  ['DE mobile compact 12 digits', 'Handy 015123456789', '015123456789'],
  ['DE intl', 'Tel. +49 30 12345678', '+49 30 12345678'],
  ['DE intl 00', 'Tel. 0049 1512 3456789', '0049 1512 3456789'],
  ['FR mobile', 'appelez le 06 12 34 56 78', '06 12 34 56 78'],
  ['FR mobile dotted', 'appelez le 06.12.34.56.78', '06.12.34.56.78'],
  ['FR mobile compact', 'appelez le 0612345678', '0612345678'],
  ['FR intl', 'appelez le +33 6 12 34 56 78', '+33 6 12 34 56 78'],
  ['IT mobile', 'chiamami al 347 123 4567', '347 123 4567'],
  ['IT mobile compact', 'chiamami al 3471234567', '3471234567'],
  ['IT intl', 'chiamami al +39 347 123 4567', '+39 347 123 4567'],
  ['IPv4', 'my IP is 192.168.1.23', '192.168.1.23'],
  ['IPv4 ending a sentence', 'It came from 10.20.30.40. Then it stopped', '10.20.30.40'],
  ['IPv6', 'from 2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3::8a2e:370:7334'],
  ['DOB EN', 'I was born on 12/03/1985', '12/03/1985'],
  ['DOB EN ISO', 'DOB 1985-03-12', '1985-03-12'],
  ['DOB ES', 'fecha de nacimiento: 12 de marzo de 1985', '12 de marzo de 1985'],
  ['DOB DE', 'geboren am 12.03.1985', '12.03.1985'],
  ['DOB FR', 'né le 12 mars 1985', '12 mars 1985'],
];

const SEPARATORS = /[\s.\-/()\u00a0\u200b]/g;

/** The planted value as leak-checking reads it: folded (NFKC), separators stripped, lower case. */
export function leakKey(value: string): string {
  return value.normalize('NFKC').replace(SEPARATORS, '').toLowerCase();
}

/** Whether `output` still carries the planted value: whole (separators stripped), or any run of 8+ of its digits. */
export function leaks(output: string, value: string): boolean {
  const flat = leakKey(output);
  const key = leakKey(value);
  if (flat.includes(key)) return true;
  const digits = key.replace(/\D/g, '');
  // Eight of its digits in a row, separators aside (a placeholder's `_1` is not a separator).
  for (let i = 0; i + 8 <= digits.length; i++) if (flat.includes(digits.slice(i, i + 8))) return true;
  return false;
}
