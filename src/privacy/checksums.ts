/**
 * Check-digit algorithms that separate real identifiers from look-alikes, so an
 * order number with 16 digits stays readable while a card number is masked.
 * Pure, digits-only inputs.
 */

/** Luhn (ISO/IEC 7812-1) over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Luhn over the digits of a grouped number (`4111 1111 1111 1111`, `4111-…`, `4111.…`), skipping
 * its separators without building the digit string: on the per-candidate path of the card detector.
 */
export function luhnValidGrouped(text: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let index = text.length - 1; index >= 0; index--) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) continue;
    let digit = code - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
    digits++;
  }
  return digits >= 2 && sum % 10 === 0;
}

/** IBAN (ISO 13616): move the first four characters to the end, letters to 10..35, remainder mod 97 must be 1. */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  // Characters 4… then 0–3, letters as 10..35, mod 97 digit by digit: no rearranged copy is built.
  let remainder = 0;
  for (let step = 0; step < compact.length; step++) {
    const code = compact.charCodeAt((step + 4) % compact.length);
    if (code >= 65) {
      const value = code - 55;
      remainder = (remainder * 100 + value) % 97;
    } else {
      remainder = (remainder * 10 + (code - 48)) % 97;
    }
  }
  return remainder === 1;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the letter is the number mod 23. */
export function spanishIdValid(id: string): boolean {
  const compact = id.replace(/[\s-]/g, '').toUpperCase();
  const match = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(compact);
  if (!match) return false;
  const [, prefix, number, letter] = match;
  if (prefix ? number!.length !== 7 : number!.length !== 8) return false;
  const value = Number(`${prefix ? 'XYZ'.indexOf(prefix) : ''}${number}`);
  return DNI_LETTERS[value % 23] === letter;
}

/**
 * German Steuerliche Identifikationsnummer: 11 digits, no leading 0, in the
 * first ten exactly one digit occurs two or three times, and the last digit is
 * the ISO 7064 MOD 11,10 check digit (BZSt specification).
 */
export function steuerIdValid(digits: string): boolean {
  if (digits.length !== 11 || digits.charCodeAt(0) === 48 || !/^\d{11}$/.test(digits)) return false;
  // On the per-candidate path (every 11-digit run): counts in an array, no Map.
  const counts = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 10; i++) counts[digits.charCodeAt(i) - 48]!++;
  let repeated = 0;
  for (const count of counts) {
    if (count > 3) return false;
    if (count > 1) repeated++;
  }
  if (repeated !== 1) return false;
  let product = 10;
  for (let i = 0; i < 10; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === digits.charCodeAt(10) - 48;
}

/**
 * French NIR (numéro d'inscription au répertoire): 13 characters then a 2-digit key, key =
 * 97 − (number mod 97), Corsica's départements 2A / 2B read as 19 / 18 (INSEE).
 */
export function frenchNirValid(nir: string): boolean {
  const compact = nir.replace(/\s+/g, '').toUpperCase();
  const match = /^([12]\d{4})(\d{2}|2A|2B)(\d{6})(\d{2})$/.exec(compact);
  if (!match) return false;
  const [, head, department, tail, key] = match;
  const digits = `${head}${department === '2A' ? '19' : department === '2B' ? '18' : department}${tail}`;
  let remainder = 0;
  for (const char of digits!) remainder = (remainder * 10 + (char.charCodeAt(0) - 48)) % 97;
  return 97 - remainder === Number(key);
}
