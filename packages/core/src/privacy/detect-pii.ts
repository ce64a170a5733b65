/** The kinds of personal data and secrets the on-device detector recognises. */
export type PiiKind = 'email' | 'phone-number' | 'card-number' | 'iban' | 'national-id' | 'secret';

/** Every kind {@link detectPii} can report, in a stable order. */
export const piiKinds: readonly PiiKind[] = ['email', 'phone-number', 'card-number', 'iban', 'national-id', 'secret'];

// Separate patterns beat one big alternation here: each is anchored on something distinctive, so the engine skips
// most of a prompt quickly (about 5× faster on a 4 KB prompt), and the email pattern only runs when there is an "@".
const secretTokenPattern = new RegExp(
  '-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----' +
    '|\\b(?:sk|pk|rk)-(?:[A-Za-z0-9]+-)?[A-Za-z0-9_-]{20,}' +
    '|\\bAKIA[0-9A-Z]{16}\\b' +
    '|\\bgh[pousr]_[A-Za-z0-9]{30,}' +
    '|\\bgithub_pat_[A-Za-z0-9_]{30,}' +
    '|\\bxox[abprs]-[A-Za-z0-9-]{10,}' +
    '|\\bAIza[0-9A-Za-z_-]{35}' +
    '|\\beyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}',
);
const secretAssignmentPattern =
  /\b(?:api[_-]?key|secret|access[_-]?token|auth[_-]?token|password|passwd)\s*[:=]\s*["']?[^\s"']{8,}/i;
// The lookbehind starts a match only at the beginning of a run, keeping the scan linear on long words.
const emailPattern = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
// Branch order matters: earlier branches win at a position, so the strict, checksummed formats come before the
// loose phone pattern that could swallow their digits.
const numberPattern = new RegExp(
  [
    '(?<iban>\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\\b)',
    '(?<ssn>\\b\\d{3}-\\d{2}-\\d{4}\\b)',
    '(?<card>\\b\\d(?:[ -]?\\d){12,18}\\b)',
    '(?<phone>(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,4}\\)|\\b\\d{2,4})[ .-]\\d{3,4}[ .-]\\d{3,4}\\b|\\+\\d{8,14}\\b)',
  ].join('|'),
  'g',
);

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

/** The ISO 13616 mod-97 check of an IBAN (spaces already removed). */
export function isIbanValid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let index = 0; index < rearranged.length; index += 1) {
    const code = rearranged.charCodeAt(index);
    // Letters count as two digits (A = 10 … Z = 35).
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

function countDigits(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count += 1;
  }
  return count;
}

function isValidSsn(text: string): boolean {
  const area = text.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && text.slice(4, 6) !== '00' && text.slice(7) !== '0000';
}

/** Result of {@link detectPii}. */
export interface PiiDetection {
  /** Kinds found, in {@link piiKinds} order; empty when nothing was found. */
  kinds: PiiKind[];
}

/**
 * The on-device personal-data detector: emails, phone numbers, payment card numbers (Luhn-checked), IBANs (mod-97
 * checked), US social security numbers, and API keys, tokens, passwords and private keys. It runs locally with a few
 * precompiled patterns and never sends text anywhere. It errs on the side of detecting: a false positive keeps a
 * request on the device, a false negative could send it away.
 *
 * @example
 * ```ts
 * detectPii('Mail me at ada@example.org').kinds; // ['email']
 * ```
 */
export function detectPii(text: string): PiiDetection {
  let mask = 0;
  if (text.includes('@') && emailPattern.test(text)) mask |= 1 << 0;
  if (secretTokenPattern.test(text) || secretAssignmentPattern.test(text)) mask |= 1 << 5;
  numberPattern.lastIndex = 0;
  for (let match = numberPattern.exec(text); match !== null; match = numberPattern.exec(text)) {
    const groups = match.groups!;
    if (groups.iban !== undefined) {
      if (isIbanValid(groups.iban.replace(/ /g, ''))) mask |= 1 << 3;
    } else if (groups.ssn !== undefined) {
      if (isValidSsn(groups.ssn)) mask |= 1 << 4;
    } else if (groups.card !== undefined) {
      const digits = groups.card.replace(/[ -]/g, '');
      if (digits.length >= 13 && digits.length <= 19 && isLuhnValid(digits)) mask |= 1 << 2;
    } else if (groups.phone !== undefined) {
      // Grouped numbers such as "10 000 000" look like phone numbers; real ones have 9 to 15 digits (E.164).
      const digitCount = countDigits(groups.phone);
      if (digitCount >= 9 && digitCount <= 15) mask |= 1 << 1;
    }
    if ((mask & 0b011110) === 0b011110) break;
  }
  const kinds: PiiKind[] = [];
  for (let bit = 0; bit < piiKinds.length; bit += 1) if (mask & (1 << bit)) kinds.push(piiKinds[bit]!);
  return { kinds };
}
