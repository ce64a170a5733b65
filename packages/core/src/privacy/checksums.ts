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

/** Whether `year`-`month`-`day` is a day of the Gregorian calendar (a birth date inside an id number). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days =
    month === 2
      ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
        ? 29
        : 28
      : 30 + ((month + (month >> 3)) & 1);
  return day <= days;
}

/** Whether every character of `digits` is the same one (`000000000`, `11111111111`): never an issued number. */
function isOneRepeatedDigit(digits: string): boolean {
  for (let index = 1; index < digits.length; index += 1) if (digits[index] !== digits[0]) return false;
  return true;
}

/** The Brazilian CPF (Cadastro de Pessoas Físicas): 11 digits, the last two mod-11 check digits over the ones before. */
export function isBrazilianCpfValid(digits: string): boolean {
  if (digits.length !== 11 || isOneRepeatedDigit(digits)) return false;
  for (const length of [9, 10]) {
    let sum = 0;
    for (let index = 0; index < length; index += 1) sum += (digits.charCodeAt(index) - 48) * (length + 1 - index);
    if (((sum * 10) % 11) % 10 !== digits.charCodeAt(length) - 48) return false;
  }
  return true;
}

// Verhoeff's dihedral-group multiplication table and position permutation, one row a string.
const verhoeffMultiply =
  '0123456789 1234067895 2340178956 3401289567 4012395678 5987604321 6598710432 7659821043 8765932104 9876543210'.split(
    ' ',
  );
const verhoeffPermute = '0123456789 1576283094 5803796142 8916043527 9453126870 4286573901 2793806415 7046913258'.split(
  ' ',
);

/** The Verhoeff check digit, as India's Aadhaar uses it: every single-digit error and adjacent swap is caught. */
export function isVerhoeffValid(digits: string): boolean {
  let check = 0;
  for (let index = 0; index < digits.length; index += 1) {
    const digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    check = verhoeffMultiply[check]!.charCodeAt(verhoeffPermute[index % 8]!.charCodeAt(digit) - 48) - 48;
  }
  return check === 0;
}

/** An Indian Aadhaar number: 12 digits, the first 2–9, a Verhoeff check digit. */
export function isAadhaarValid(digits: string): boolean {
  return digits.length === 12 && digits[0]! >= '2' && !isOneRepeatedDigit(digits) && isVerhoeffValid(digits);
}

/** A Canadian social insurance number: 9 digits with a Luhn check digit. */
export function isCanadianSinValid(digits: string): boolean {
  return digits.length === 9 && !isOneRepeatedDigit(digits) && isLuhnValid(digits);
}

/** An Australian tax file number: 8 or 9 digits whose weighted sum (1, 4, 3, 7, 5, 8, 6, 9, 10) is a multiple of 11. */
export function isAustralianTfnValid(digits: string): boolean {
  const weights =
    digits.length === 9 ? [1, 4, 3, 7, 5, 8, 6, 9, 10] : digits.length === 8 ? [10, 7, 8, 4, 6, 3, 5, 1] : undefined;
  if (weights === undefined || isOneRepeatedDigit(digits)) return false;
  let sum = 0;
  for (let index = 0; index < weights.length; index += 1) sum += (digits.charCodeAt(index) - 48) * weights[index]!;
  return sum % 11 === 0;
}

/**
 * A Chinese resident identity card number (GB 11643): 17 digits (region, birth date YYYYMMDD, sequence) and an
 * ISO 7064 MOD 11-2 check character, a digit or `X`.
 */
export function isChineseResidentIdValid(value: string): boolean {
  if (!/^[1-8]\d{16}[\dX]$/i.test(value)) return false;
  if (!isCalendarDate(Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))))
    return false;
  const year = Number(value.slice(6, 10));
  if (year < 1900 || year > 2100) return false;
  let sum = 0;
  // The weights are 2^(17 − position) mod 11.
  for (let index = 0, weight = 7; index < 17; index += 1) {
    sum += (value.charCodeAt(index) - 48) * weight;
    weight = (weight * 6) % 11;
  }
  return '10X98765432'[sum % 11] === value[17]!.toUpperCase();
}

/** Japan's My Number (individual number): 12 digits, the last a mod-11 check digit over the eleven before. */
export function isJapaneseMyNumberValid(digits: string): boolean {
  if (digits.length !== 12 || isOneRepeatedDigit(digits)) return false;
  let sum = 0;
  // Position n counts from the digit left of the check digit (n = 1) leftwards; its weight is n + 1, or n − 5 from 7 on.
  for (let n = 1; n <= 11; n += 1) sum += (digits.charCodeAt(11 - n) - 48) * (n <= 6 ? n + 1 : n - 5);
  const remainder = sum % 11;
  return (remainder <= 1 ? 0 : 11 - remainder) === digits.charCodeAt(11) - 48;
}

/**
 * The shape of a South Korean resident registration number: 13 digits, a birth date YYMMDD, then a digit 1–8 for
 * sex and century (9 and 0 were the 1800s).
 */
export function isKoreanRrnShaped(digits: string): boolean {
  if (digits.length !== 13) return false;
  const marker = digits.charCodeAt(6) - 48;
  if (marker < 1 || marker > 8) return false;
  const century = marker <= 2 || marker === 5 || marker === 6 ? 1900 : 2000;
  return isCalendarDate(century + Number(digits.slice(0, 2)), Number(digits.slice(2, 4)), Number(digits.slice(4, 6)));
}

/**
 * The check digit of a South Korean resident registration number (weights 2–9, 2–5; (11 − sum mod 11) mod 10).
 * Numbers issued since October 2020 end in a random digit, so a failed check alone does not rule one out.
 */
export function isKoreanRrnChecksumValid(digits: string): boolean {
  if (digits.length !== 13) return false;
  let sum = 0;
  for (let index = 0; index < 12; index += 1) sum += (digits.charCodeAt(index) - 48) * ((index % 8) + 2);
  return (11 - (sum % 11)) % 10 === digits.charCodeAt(12) - 48;
}

const curpCharacters = '0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ';

/**
 * A Mexican CURP (Clave Única de Registro de Población), 18 characters: initials, birth date YYMMDD, sex, state,
 * consonants, a homonym character and a check digit over the 17 before (weights 18 … 2, mod 10).
 */
export function isMexicanCurpValid(value: string): boolean {
  const upper = value.toUpperCase();
  if (!/^[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d$/.test(upper)) return false;
  const year = Number(upper.slice(4, 6)) + (upper.charCodeAt(16) >= 65 ? 2000 : 1900);
  if (!isCalendarDate(year, Number(upper.slice(6, 8)), Number(upper.slice(8, 10)))) return false;
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += curpCharacters.indexOf(upper[index]!) * (18 - index);
  return (10 - (sum % 10)) % 10 === upper.charCodeAt(17) - 48;
}
