// Check-digit algorithms of the identifiers the detector validates. Inputs are digits (or IBAN characters) with
// separators already removed.

/** The Luhn checksum used by payment card numbers. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
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

/** The ISO 13616 mod-97 check of an IBAN (spaces already removed, letters upper case). */
export function isIbanValid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let index = 0; index < rearranged.length; index += 1) {
    const code = rearranged.charCodeAt(index);
    // Letters count as two digits (A = 10 … Z = 35).
    const value = code >= 65 ? code - 55 : code - 48;
    if (value < 0 || value > 35) return false;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** The ABA routing transit number check (weights 3, 7, 1) of a 9-digit US bank routing number. */
export function isAbaRoutingValid(digits: string): boolean {
  if (digits.length !== 9) return false;
  let sum = 0;
  for (let index = 0; index < 9; index += 1) sum += (digits.charCodeAt(index) - 48) * [3, 7, 1][index % 3]!;
  return sum % 10 === 0 && digits !== '000000000';
}

/** A US social security number that could have been issued: not area 000, 666 or 9xx, group 00, or serial 0000. */
export function isSsnPlausible(digits: string): boolean {
  if (digits.length !== 9) return false;
  const area = digits.slice(0, 3);
  return (
    area !== '000' && area !== '666' && area[0] !== '9' && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000'
  );
}

/** The French NIR (numéro de sécurité sociale): 13 digits and a key equal to 97 − (number mod 97). Corsica's 2A/2B count as 19/18. */
export function isFrenchNirValid(value: string): boolean {
  if (value.length !== 15) return false;
  const body = value.slice(0, 13).replace(/2A/i, '19').replace(/2B/i, '18');
  if (!/^[12]\d{12}$/.test(body)) return false;
  let remainder = 0;
  for (let index = 0; index < 13; index += 1) remainder = (remainder * 10 + body.charCodeAt(index) - 48) % 97;
  return 97 - remainder === Number(value.slice(13));
}

const dniLetters = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** The Spanish DNI (8 digits and a letter) or NIE (X/Y/Z, 7 digits and a letter): the letter is the number mod 23. */
export function isSpanishIdValid(value: string): boolean {
  const upper = value.toUpperCase();
  const match = /^([XYZ]?)(\d{7,8})([A-Z])$/.exec(upper);
  if (!match) return false;
  const [, prefix, digits, letter] = match;
  if (prefix === '' ? digits!.length !== 8 : digits!.length !== 7) return false;
  const number = Number(`${prefix === '' ? '' : 'XYZ'.indexOf(prefix!)}${digits}`);
  return dniLetters[number % 23] === letter;
}

/** The Dutch BSN "elfproef": 9 digits weighted 9 … 2 and −1 sum to a multiple of 11. */
export function isDutchBsnValid(digits: string): boolean {
  if (digits.length !== 9 || digits === '000000000') return false;
  let sum = 0;
  for (let index = 0; index < 8; index += 1) sum += (digits.charCodeAt(index) - 48) * (9 - index);
  sum -= digits.charCodeAt(8) - 48;
  return sum % 11 === 0;
}

/** The German tax id (Steuerliche Identifikationsnummer): 11 digits, ISO 7064 MOD 11,10 check digit, no leading 0. */
export function isGermanTaxIdValid(digits: string): boolean {
  if (digits.length !== 11 || digits[0] === '0') return false;
  let product = 10;
  for (let index = 0; index < 10; index += 1) {
    let sum = (digits.charCodeAt(index) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  let check = 11 - product;
  if (check === 10) check = 0;
  return check === digits.charCodeAt(10) - 48;
}

const codiceOdd: Record<string, number> = {};
'1,0,5,7,9,13,15,17,19,21,2,4,18,20,11,3,6,8,12,14,16,10,22,25,24,23'.split(',').forEach((value, index) => {
  codiceOdd[String.fromCharCode(65 + index)] = Number(value);
  if (index < 10) codiceOdd[String(index)] = Number(value);
});

/** The Italian codice fiscale (16 characters): the last letter is a check character over the first 15. */
export function isItalianFiscalCodeValid(value: string): boolean {
  const upper = value.toUpperCase();
  if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(upper)) return false;
  let sum = 0;
  for (let index = 0; index < 15; index += 1) {
    const character = upper[index]!;
    // Positions are 1-based in the specification: odd positions use the table, even ones the plain value.
    if (index % 2 === 0) sum += codiceOdd[character]!;
    else sum += character >= 'A' ? character.charCodeAt(0) - 65 : character.charCodeAt(0) - 48;
  }
  return String.fromCharCode(65 + (sum % 26)) === upper[15];
}
