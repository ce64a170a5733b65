import { isAsciiLetterCode } from '../char-codes.js';
import { isAbaRoutingValid, isIbanValid, isLuhnValid } from '../checksums.js';
import { contextBoost, tokenShape } from '../pii-scan.js';
import type { PiiRecognizer } from '../recognizer.js';

// Issuer prefixes of the card schemes people carry: Visa 4, Mastercard 51–55 and 2221–2720, Amex 34/37, Discover
// 6011/64/65, Diners 30/36/38, JCB 35, UnionPay 62, Maestro 50/56–69.
const cardPrefix = /^(?:4|5[0-9]|2[2-7]|3[0-8]|6)/;

/** Payment card numbers: 13 to 19 digits, a known issuer prefix, and a valid Luhn checksum. */
export const cardRecognizer: PiiRecognizer = {
  name: 'payment-card',
  kind: 'card-number',
  digits: [13, 19],
  scanNumber(scan, token) {
    if (token.digitCount < 13 || token.digitCount > 19) return;
    const written = scan.text.slice(token.start, token.end);
    // Cards are grouped with spaces or hyphens, never with dots, slashes or brackets.
    if (/[./()]/.test(written)) return;
    const digits = scan.digitsOf(token);
    if (cardPrefix.test(digits) && isLuhnValid(digits))
      scan.add('card-number', 'payment-card', token.start, token.end, 0.9);
  },
};

const ibanPattern = /[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?/iy;

/** IBANs of any country, validated with the ISO 13616 mod-97 check. */
export const ibanRecognizer: PiiRecognizer = {
  name: 'iban',
  kind: 'iban',
  digits: [1, 40],
  shapes: tokenShape.letterBefore,
  scanNumber(scan, token) {
    const text = scan.text;
    // An IBAN's first digits are its check digits, right after a two-letter country code.
    if (
      token.start < 2 ||
      !isAsciiLetterCode(text.charCodeAt(token.start - 1)) ||
      !isAsciiLetterCode(text.charCodeAt(token.start - 2))
    ) {
      return;
    }
    if (token.start > 2 && /[A-Za-z0-9]/.test(text[token.start - 3]!)) return;
    ibanPattern.lastIndex = token.start - 2;
    const match = ibanPattern.exec(text);
    if (match === null) return;
    // The pattern may overrun into a following word; try the longest candidate first, then shorter ones.
    let candidate = match[0].replace(/[ -]/g, '').toUpperCase();
    while (candidate.length >= 15) {
      if (isIbanValid(candidate)) {
        scan.add('iban', 'iban', token.start - 2, token.start - 2 + match[0].length, 1);
        return;
      }
      candidate = candidate.slice(0, -1);
    }
  },
};

const routingContext = /routing|\baba\b|\brtn\b|transit|wire|bank/i;

/** US bank routing numbers (ABA checksum) next to a word such as "routing" or "ABA". */
export const abaRoutingRecognizer: PiiRecognizer = {
  name: 'aba-routing',
  kind: 'bank-account',
  digits: [9, 9],
  scanNumber(scan, token) {
    if (token.digitCount !== 9 || !isAbaRoutingValid(scan.digitsOf(token))) return;
    if (scan.hasContextBefore(token.start, routingContext)) {
      scan.add('bank-account', 'aba-routing', token.start, token.end, 0.5 + contextBoost);
    }
  },
};

const accountContext =
  /account\s*(?:number|no\.?|#|num)|acct|a\/c\b|kontonummer|\bkonto\b|num[ée]ro de compte|\bcompte\b|n[úu]mero de cuenta|\bcuenta\b|conto(?: corrente)?|rekeningnummer|rekening|sort code|bankverbindung/i;

/** Bank account numbers (6 to 17 digits) and UK sort codes, recognised by the words before them. */
export const bankAccountRecognizer: PiiRecognizer = {
  name: 'bank-account',
  kind: 'bank-account',
  digits: [6, 17],
  scanNumber(scan, token) {
    if (token.digitCount < 6 || token.digitCount > 17) return;
    if (scan.hasContextBefore(token.start, accountContext, 40)) {
      scan.add('bank-account', 'bank-account', token.start, token.end, 0.4 + contextBoost);
    }
  },
};
