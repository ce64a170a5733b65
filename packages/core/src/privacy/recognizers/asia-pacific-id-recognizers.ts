import { isAsciiAlphanumericCode } from '../char-codes.js';
import {
  isAadhaarValid,
  isAustralianTfnValid,
  isChineseResidentIdValid,
  isJapaneseMyNumberValid,
  isKoreanRrnChecksumValid,
  isKoreanRrnShaped,
} from '../checksums.js';
import { contextBoost } from '../pii-scan.js';
import type { PiiRecognizer } from '../recognizer.js';
import { addIfLabelled } from './labelled-id.js';

const aadhaarContext = /aadhaa?r|\bUIDAI\b|\bUID\b|आधार/i;
const fourFourFour = /^\d{4}([ -])\d{4}\1\d{4}$/;
const twelveDigits = /^\d{12}$/;
// Grouped 4-4-4 as Aadhaar and My Number cards print them, or plain.
const twelveDigitsLayout = /^\d{4}([ -]?)\d{4}\1\d{4}$/;

/**
 * Indian Aadhaar numbers (`2341 2341 2346`): twelve digits, the first 2–9, with a Verhoeff check digit. Grouped
 * 4-4-4 as the card prints them they are found alone; twelve plain digits (a timestamp, an order number) only next to
 * "Aadhaar" or "UID".
 */
export const inAadhaarRecognizer: PiiRecognizer = {
  name: 'in-aadhaar',
  kind: 'national-id',
  digits: [12, 12],
  scanNumber(scan, token) {
    if (token.digitCount !== 12 || !isAadhaarValid(scan.digitsOf(token))) return;
    const written = scan.text.slice(token.start, token.end);
    const grouped = fourFourFour.test(written);
    if (!grouped && !twelveDigits.test(written)) return;
    const context = scan.hasContextBefore(token.start, aadhaarContext) ? contextBoost : 0;
    if (grouped || context > 0) scan.add('national-id', 'in-aadhaar', token.start, token.end, 0.55 + context);
  },
};

// "My Number" capitalised, as the card is called: "my number is …" in lower case is usually a phone number.
const myNumberContext = /マイナンバー|個人番号|\bMy Number\b|[Ii]ndividual [Nn]umber/;

/** Japanese My Numbers (`1234 5678 9018`): twelve digits with a mod-11 check digit, next to "My Number" or "マイナンバー". */
export const jpMyNumberRecognizer: PiiRecognizer = {
  name: 'jp-my-number',
  kind: 'national-id',
  digits: [12, 12],
  scanNumber(scan, token) {
    if (token.digitCount === 12 && isJapaneseMyNumberValid(scan.digitsOf(token)))
      addIfLabelled(scan, token, 'jp-my-number', twelveDigitsLayout, myNumberContext);
  },
};

const tfnContext = /\bTFN\b|tax file/i;
const tfnWritten = /^\d{3}([- ]?)\d{3}\1\d{2,3}$/;

/** Australian tax file numbers (`123 456 782`): eight or nine digits with a weighted mod-11 check, next to "TFN". */
export const auTfnRecognizer: PiiRecognizer = {
  name: 'au-tfn',
  kind: 'national-id',
  digits: [8, 9],
  scanNumber(scan, token) {
    if (token.digitCount >= 8 && isAustralianTfnValid(scan.digitsOf(token)))
      addIfLabelled(scan, token, 'au-tfn', tfnWritten, tfnContext);
  },
};

const residentIdWritten = /^\d{17,18}$|^\d{6} \d{8} \d{3,4}$/;

/**
 * Chinese resident identity card numbers (`11010519491231002X`): a region, a birth date and a sequence, then an ISO
 * 7064 MOD 11-2 check character (a digit or X). The date and the check together rule out almost every other number
 * of that length, so no label is needed; surer than the card number a few of them also pass for.
 */
export const cnResidentIdRecognizer: PiiRecognizer = {
  name: 'cn-resident-id',
  kind: 'national-id',
  digits: [17, 18],
  scanNumber(scan, token) {
    const text = scan.text;
    let end = token.end;
    if (token.digitCount === 17) {
      if ((text.charCodeAt(end) | 0x20) !== 120 /* x */) return;
      end += 1;
    }
    if (isAsciiAlphanumericCode(text.charCodeAt(end))) return;
    if (!residentIdWritten.test(text.slice(token.start, token.end))) return;
    if (isChineseResidentIdValid(scan.digitsOf(token) + text.slice(token.end, end))) {
      scan.add('national-id', 'cn-resident-id', token.start, end, 0.95);
    }
  },
};

const rrnContext = /주민등록번호|주민번호|\bRRN\b|resident registration/i;
const rrnDashed = /^\d{6}-\d{7}$/;
const thirteenDigits = /^\d{13}$/;

/**
 * South Korean resident registration numbers (`850101-1234566`): a birth date YYMMDD, a dash, then a sex and
 * century digit and six more. Since October 2020 the last digit is no longer a check digit, so a number that fails
 * the check is still reported next to "주민등록번호" or "RRN"; thirteen plain digits only there.
 */
export const krRrnRecognizer: PiiRecognizer = {
  name: 'kr-rrn',
  kind: 'national-id',
  digits: [13, 13],
  scanNumber(scan, token) {
    if (token.digitCount !== 13) return;
    const digits = scan.digitsOf(token);
    if (!isKoreanRrnShaped(digits)) return;
    const written = scan.text.slice(token.start, token.end);
    const dashed = rrnDashed.test(written);
    if (!dashed && !thirteenDigits.test(written)) return;
    const checked = isKoreanRrnChecksumValid(digits);
    const context = scan.hasContextBefore(token.start, rrnContext) ? contextBoost : 0;
    if (dashed && checked) scan.add('national-id', 'kr-rrn', token.start, token.end, 0.85 + context);
    else if (context > 0 && (dashed || checked))
      scan.add('national-id', 'kr-rrn', token.start, token.end, 0.55 + context);
  },
};
