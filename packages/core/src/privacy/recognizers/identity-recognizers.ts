import { isAsciiAlphanumericCode, isAsciiUpperCode } from '../char-codes.js';
import {
  isDutchBsnValid,
  isFrenchNirValid,
  isGermanTaxIdValid,
  isItalianFiscalCodeValid,
  isSpanishIdValid,
  isSsnPlausible,
} from '../checksums.js';
import { contextBoost, tokenShape } from '../pii-scan.js';
import type { PiiRecognizer } from '../recognizer.js';

const ssnContext = /\bssn\b|social security|\bsocial\b|\bss#|\bsocial sec/i;
const ssnGrouped = /^\d{3}([- ])\d{2}\1\d{4}$/;

/**
 * US social security numbers: `123-45-6789` or `123 45 6789` (never-issued areas and groups are rejected), and
 * nine bare digits when a word such as "SSN" or "social security" comes before them.
 */
export const usSsnRecognizer: PiiRecognizer = {
  name: 'us-ssn',
  kind: 'national-id',
  digits: [9, 9],
  scanNumber(scan, token) {
    if (token.digitCount !== 9 || !isSsnPlausible(scan.digitsOf(token))) return;
    const written = scan.text.slice(token.start, token.end);
    const context = scan.hasContextBefore(token.start, ssnContext) ? contextBoost : 0;
    if (ssnGrouped.test(written)) scan.add('national-id', 'us-ssn', token.start, token.end, 0.6 + context);
    else if (/^\d{9}$/.test(written) && context > 0)
      scan.add('national-id', 'us-ssn', token.start, token.end, 0.45 + context);
  },
};

// UK National Insurance number: two prefix letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN, NK, NT,
// TN, ZZ), six digits, a suffix A–D.
const ninoPattern =
  /(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/y;

/** UK National Insurance numbers (`AB 12 34 56 C`), by their prefix and suffix rules. */
export const ukNinoRecognizer: PiiRecognizer = {
  name: 'uk-nino',
  kind: 'national-id',
  digits: [2, 6],
  shapes: tokenShape.capitalNear,
  scanNumber(scan, token) {
    if (token.digitCount !== 6 && token.digitCount !== 2) return;
    const text = scan.text;
    // Written in capitals: the prefix letters sit right before the digits, or one space before them.
    if (!isAsciiUpperCode(text.charCodeAt(token.start - 1)) && !isAsciiUpperCode(text.charCodeAt(token.start - 2)))
      return;
    for (const back of [2, 3]) {
      ninoPattern.lastIndex = token.start - back;
      const match = token.start >= back ? ninoPattern.exec(scan.text) : null;
      if (match !== null) {
        scan.add('national-id', 'uk-nino', match.index, match.index + match[0].length, 0.85);
        return;
      }
    }
  },
};

/** French social security numbers (NIR): 15 digits, sex digit first, key = 97 − (number mod 97). */
export const frNirRecognizer: PiiRecognizer = {
  name: 'fr-nir',
  kind: 'national-id',
  digits: [15, 15],
  scanNumber(scan, token) {
    if (token.digitCount !== 15) return;
    if (isFrenchNirValid(scan.digitsOf(token))) scan.add('national-id', 'fr-nir', token.start, token.end, 0.95);
  },
};

const dniTail = /[- ]?([A-Za-z])(?![A-Za-z0-9])/y;

/** Spanish DNI (`12345678Z`) and NIE (`X1234567L`) numbers, with their mod-23 check letter. */
export const esDniRecognizer: PiiRecognizer = {
  name: 'es-dni',
  kind: 'national-id',
  digits: [7, 8],
  scanNumber(scan, token) {
    if (token.digitCount !== 8 && token.digitCount !== 7) return;
    const text = scan.text;
    if (!/^\d+$/.test(text.slice(token.start, token.end))) return;
    dniTail.lastIndex = token.end;
    const tail = dniTail.exec(text);
    if (tail === null) return;
    const prefix = token.digitCount === 7 ? text.slice(token.start - 1, token.start) : '';
    if (token.digitCount === 7 && !/^[XYZxyz]$/.test(prefix)) return;
    if (isSpanishIdValid(`${prefix}${text.slice(token.start, token.end)}${tail[1]}`)) {
      scan.add('national-id', 'es-dni', token.start - prefix.length, token.end + tail[0].length, 0.9);
    }
  },
};

const bsnContext = /\bbsn\b|burgerservice|sofi/i;

/** Dutch citizen service numbers (BSN): nine digits passing the "elfproef", next to "BSN". */
export const nlBsnRecognizer: PiiRecognizer = {
  name: 'nl-bsn',
  kind: 'national-id',
  digits: [9, 9],
  scanNumber(scan, token) {
    if (token.digitCount !== 9 || !isDutchBsnValid(scan.digitsOf(token))) return;
    if (scan.hasContextBefore(token.start, bsnContext))
      scan.add('national-id', 'nl-bsn', token.start, token.end, 0.5 + contextBoost);
  },
};

const taxIdContext = /steuer|\bidnr|identifikationsnummer|tax\s*id|\btin\b/i;

/** German tax ids (Steuer-IdNr): eleven digits with an ISO 7064 MOD 11,10 check digit, next to a word like "Steuer-ID". */
export const deTaxIdRecognizer: PiiRecognizer = {
  name: 'de-tax-id',
  kind: 'national-id',
  digits: [11, 11],
  scanNumber(scan, token) {
    if (token.digitCount !== 11 || !isGermanTaxIdValid(scan.digitsOf(token))) return;
    if (scan.hasContextBefore(token.start, taxIdContext))
      scan.add('national-id', 'de-tax-id', token.start, token.end, 0.5 + contextBoost);
  },
};

const fiscalCodePattern =
  /[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![A-Za-z0-9])/y;

/** Italian fiscal codes (codice fiscale, `RSSMRA85T10A562S`), with their check character. */
export const itFiscalCodeRecognizer: PiiRecognizer = {
  name: 'it-fiscal-code',
  kind: 'national-id',
  digits: [1, 2],
  shapes: tokenShape.capitalNear,
  scanNumber(scan, token) {
    // The first digits of a codice fiscale are the birth year, right after six letters.
    if (token.start < 6 || token.digitCount > 2 || !isAsciiUpperCode(scan.text.charCodeAt(token.start - 1))) return;
    fiscalCodePattern.lastIndex = token.start - 6;
    const match = fiscalCodePattern.exec(scan.text);
    if (match !== null && isItalianFiscalCodeValid(match[0])) {
      scan.add('national-id', 'it-fiscal-code', match.index, match.index + 16, 0.95);
    }
  },
};

const passportContext =
  /passport|pass(?:port)? no|reisepass|\bpass(?:nummer)?\b|passeport|pasaporte|passaporto|paspoort|passaporte/i;

/** Passport numbers: a 6–9 character letters-and-digits word after a word such as "passport" or "Reisepass". */
export const passportRecognizer: PiiRecognizer = {
  name: 'passport',
  kind: 'passport',
  digits: [1, 9],
  // The word around the token must be 6 to 9 letters and digits long: letters glued to it, or a long token.
  shapes: tokenShape.alphanumericAround | tokenShape.sixWide,
  scanNumber(scan, token) {
    const text = scan.text;
    let start = token.start;
    let end = token.end;
    // Stop as soon as the word is too long: in a hash or base64 blob every token would otherwise read the whole run.
    while (start > 0 && isAsciiAlphanumericCode(text.charCodeAt(start - 1))) {
      start -= 1;
      if (end - start > 9) return;
    }
    while (end < text.length && isAsciiAlphanumericCode(text.charCodeAt(end))) {
      end += 1;
      if (end - start > 9) return;
    }
    if (end - start < 6 || end - start > 9) return;
    const word = text.slice(start, end).replace(/[ -]/g, '');
    if (word.length < 6 || word.length > 9 || !/^[A-Z0-9]+$/i.test(word)) return;
    if (scan.hasContextBefore(start, passportContext, 40))
      scan.add('passport', 'passport', start, end, 0.45 + contextBoost);
  },
};

const birthContext =
  /born|birth|\bdob\b|d\.o\.b|geboren|geburt|\bgeb\.|\bn[ée]e?\b|naissance|\bnac[ií]|\bnat[oa]\b|nascita|geboortedatum|cumplea|anniversaire|compleanno|verjaardag/i;
const numericDate = /^(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})|\d{4}[./-]\d{1,2}[./-]\d{1,2})$/;
const monthNames = new Set(
  (
    'january february march april may june july august september october november december ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec ' +
    'januar februar märz maerz mai juni juli oktober dezember ' +
    'janvier février fevrier mars avril juin juillet août aout septembre octobre novembre décembre decembre ' +
    'enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre ' +
    'gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre ' +
    'januari februari maart mei augustus'
  ).split(' '),
);
// "12 March 1985", "12. März 1985", "12 de marzo de 1985", "March 12, 1985", "12th of March 1985".
const writtenDayMonth = /(\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s+(?:of\s+|de\s+)?([A-Za-zÀ-ÖØ-öø-ÿ]+)\.?,?\s+(?:de\s+)?$/i;
const writtenMonthDay = /([A-Za-zÀ-ÖØ-öø-ÿ]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+$/i;

/** Dates of birth: a full date (numeric or with a month name, several languages) with a birth word before it. */
export const dateOfBirthRecognizer: PiiRecognizer = {
  name: 'date-of-birth',
  kind: 'date-of-birth',
  digits: [4, 8],
  scanNumber(scan, token) {
    const text = scan.text;
    let start = -1;
    if (token.digitCount >= 4 && token.digitCount <= 8 && numericDate.test(text.slice(token.start, token.end))) {
      start = token.start;
    } else if (token.digitCount === 4) {
      const year = Number(text.slice(token.start, token.end));
      if (year < 1900 || year > 2030) return;
      const before = text.slice(Math.max(0, token.start - 24), token.start);
      const dayMonth = writtenDayMonth.exec(before);
      const monthDay = dayMonth === null ? writtenMonthDay.exec(before) : null;
      const month = dayMonth?.[2] ?? monthDay?.[1];
      if (month === undefined || !monthNames.has(month.toLowerCase())) return;
      start = token.start - before.length + (dayMonth ?? monthDay)!.index;
    } else return;
    // The birth word comes before the date in most languages, after it in some ("am 12. März 1985 geboren").
    if (scan.hasContextAround(start, token.end, birthContext, 40, 16)) {
      scan.add('date-of-birth', 'date-of-birth', start, token.end, 0.5 + contextBoost);
    }
  },
};
