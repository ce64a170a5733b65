import type { PiiKind } from './pii-kind.js';
import { endsLikeStreetSuffix } from './street-suffixes.js';

/** One piece of personal data found in a text: where, what kind, which recognizer, how sure. Never the value. */
export interface PiiFinding {
  kind: PiiKind;
  /** The recognizer that found it, e.g. `'phone-number'`, `'us-ssn'`, `'aws-access-key'`. */
  recognizer: string;
  /** 0..1, as in Presidio: a validated checksum is near 1, a bare shape without context lower. */
  confidence: number;
  /** UTF-16 offsets into the scanned text, `start` inclusive, `end` exclusive. */
  start: number;
  end: number;
}

/**
 * A run of digits joined by at most two separators (space, `-`, `.`, `/`, brackets) at a time, found once per text
 * and handed to every number recognizer, so a prompt is walked once whatever the number of recognizers.
 */
export interface NumberToken {
  /** Offset of the first digit (a `+` or `(` right before it is not included). */
  start: number;
  /** Offset after the last digit. */
  end: number;
  digitCount: number;
}

/** How much a context word raises a finding's confidence (Presidio's default context boost). */
export const contextBoost = 0.35;

/** The state of one scan: the text, the regions for national phone layouts, and the findings so far. */
export class PiiScan {
  readonly findings: PiiFinding[] = [];
  #digitsStart = -1;
  #digitString = '';

  constructor(
    readonly text: string,
    /** ISO 3166-1 alpha-2 regions whose national phone layouts are read first. */
    readonly regions: readonly string[],
    /** Whether recognizers may skip work their cheap pre-filters rule out (off only to test those pre-filters). */
    readonly prefilter = true,
  ) {}

  // A plain object: smaller and faster to create than a Map for the one or two facts a scan asks for.
  #memo: Record<symbol, unknown> | undefined;

  /**
   * `compute()` once per scan under `key`: a fact about the whole text that several tokens may ask for. `compute`
   * must not return `undefined`, which reads as "not computed yet".
   */
  once<T extends NonNullable<unknown>>(key: symbol, compute: (text: string) => T): T {
    this.#memo ??= {};
    let value = this.#memo[key] as T | undefined;
    if (value === undefined) {
      value = compute(this.text);
      this.#memo[key] = value;
    }
    return value;
  }

  add(kind: PiiKind, recognizer: string, start: number, end: number, confidence: number): void {
    this.findings.push({ kind, recognizer, confidence: Math.min(1, confidence), start, end });
  }

  /** The digits of `token` without separators (cached for the token being dispatched). */
  digitsOf(token: NumberToken): string {
    if (this.#digitsStart !== token.start) {
      this.#digitsStart = token.start;
      this.#digitString = this.text.slice(token.start, token.end).replace(/\D/g, '');
    }
    return this.#digitString;
  }

  /** Whether `pattern` (case-insensitive, unanchored) matches in the `window` characters before `start`. */
  hasContextBefore(start: number, pattern: RegExp, window = 48): boolean {
    return pattern.test(this.text.slice(Math.max(0, start - window), start));
  }

  /** Whether `pattern` matches in the `window` characters around `start` … `end`. */
  hasContextAround(start: number, end: number, pattern: RegExp, before = 48, after = 32): boolean {
    return pattern.test(this.text.slice(Math.max(0, start - before), Math.min(this.text.length, end + after)));
  }
}

/**
 * What sits right around a number token, as bits a recognizer can require (see `PiiRecognizer.shapes`). Computed once
 * per token from three characters, so a recognizer that cannot use a token is not even called.
 */
export const tokenShape = {
  /** An ASCII letter right before the first digit (IBAN country codes, UK postcodes, Italian fiscal codes). */
  letterBefore: 1,
  /** An ASCII capital one or two characters before the first digit (UK National Insurance numbers). */
  capitalNear: 2,
  /**
   * A space or no-break space right before the first digit of a token of digits or a range (a house number after its
   * street).
   */
  spaceBefore: 4,
  /**
   * A comma or a letter right after the last digit, or spaces and then a capital, a letter beyond ASCII, other white
   * space or the first letter of a French street type, after a token of digits or a range (a street after its house
   * number: "221B", "5, avenue", "12 Baker Street", "12-14 rue …"; not "30 on", not "2.4,").
   */
  wordAfter: 8,
  /** A colon or hex letter right after the last digit (the first group of an IPv6 address). */
  colonOrHexAfter: 16,
  /** A letter or digit glued to either end (a passport number's letters). */
  alphanumericAround: 32,
  /** Four digits or more. */
  fourDigits: 64,
  /** Six characters or more from first to last digit. */
  sixWide: 128,
  /**
   * A space right before the first digit, after a word (and maybe a comma) that ends like a street suffix:
   * "…straße 12", "…straat 5", "…weg, 3" (see street-suffixes.ts); not "at 10" or "platform 7".
   */
  streetSuffixBefore: 256,
} as const;

/** Every bit of {@link tokenShape}. */
export const anyTokenShape = 0x1ff;

// First letters of the French street types a house number may come before ("rue", "avenue", "bis" …), lower case.
const streetInitials = [...'abcipqrst'].map((letter) => letter.charCodeAt(0));

/**
 * After the spaces at `index`: a character a street written after its house number can start with. A capital or a
 * letter beyond ASCII (English layouts, "12 Baker Street"), a French type's first letter ("12 rue …", "5 bis, avenue
 * …"), or other white space; not a digit, punctuation or another lower-case letter.
 */
export function mayStartStreetAt(text: string, index: number): boolean {
  while (text.charCodeAt(index) === 32) index += 1;
  const code = text.charCodeAt(index);
  if (code >= 97 && code <= 122) return streetInitials.includes(code);
  return (code >= 65 && code <= 90) || code >= 128 || (code >= 9 && code <= 13);
}

// What a character right before or right after a token says, as tokenShape bits, for the 256 one-byte characters:
// the shapes come from two table reads instead of a dozen comparisons, which keeps shapeOf small enough for the
// engine to inline into the token walk.
const beforeBits = new Uint16Array(256);
const afterBits = new Uint16Array(256);
// After a space before a token: whether a street can start there ("12 Baker …", "12 rue …"; see wordAfter).
const startsStreetBits = new Uint8Array(256);
for (let code = 0; code < 256; code += 1) {
  const capital = code >= 65 && code <= 90;
  const letter = capital || (code >= 97 && code <= 122);
  const digit = code >= 48 && code <= 57;
  const folded = code | 0x20;
  let before = 0;
  if (letter) before = tokenShape.letterBefore | tokenShape.alphanumericAround;
  if (capital) before |= tokenShape.capitalNear;
  if (digit) before = tokenShape.alphanumericAround;
  if (code === 32 || code === 160) before = tokenShape.spaceBefore;
  beforeBits[code] = before;
  let after = 0;
  if (code === 44 || letter || code > 191) after = tokenShape.wordAfter;
  if (code === 58 || (folded >= 97 && folded <= 102)) after |= tokenShape.colonOrHexAfter;
  if (letter || digit) after |= tokenShape.alphanumericAround;
  afterBits[code] = after;
  // A capital, a letter beyond ASCII, white space (more spaces included) or a French street type's first letter.
  startsStreetBits[code] =
    capital || code >= 128 || (code >= 9 && code <= 13) || code === 32 || streetInitials.includes(code) ? 1 : 0;
}

/** The {@link tokenShape} bits of `token` in `text`. */
export function shapeOf(text: string, token: NumberToken): number {
  const before = text.charCodeAt(token.start - 1);
  const after = text.charCodeAt(token.end);
  // Out of range reads are NaN (no bits); characters beyond one byte are letters for wordAfter only.
  let shape =
    (before < 256 ? beforeBits[before]! : 0) |
    (after < 256 ? afterBits[after]! : after > 255 ? tokenShape.wordAfter : 0);
  const twoBefore = text.charCodeAt(token.start - 2);
  if (twoBefore >= 65 && twoBefore <= 90) shape |= tokenShape.capitalNear;
  // The street bits are for a house number only: digits, or a range ("12-14"); never "2.4" or "10 000".
  if (token.end - token.start === token.digitCount || isDashedNumber(text, token)) {
    if (after === 32) {
      const next = text.charCodeAt(token.end + 1);
      if (next > 255 || startsStreetBits[next] === 1) shape |= tokenShape.wordAfter;
    }
    if ((shape & tokenShape.spaceBefore) !== 0 && endsLikeStreetSuffix(text, token.start - 1)) {
      shape |= tokenShape.streetSuffixBefore;
    }
  } else shape &= ~(tokenShape.wordAfter | tokenShape.spaceBefore);
  if (token.digitCount >= 4) shape |= tokenShape.fourDigits;
  if (token.end - token.start >= 6) shape |= tokenShape.sixWide;
  return shape;
}

/** Whether the separators of `token` are all dashes (a range such as "12-14"). */
function isDashedNumber(text: string, token: NumberToken): boolean {
  for (let index = token.start; index < token.end; index += 1) {
    const code = text.charCodeAt(index);
    if ((code < 48 || code > 57) && code !== 45) return false;
  }
  return true;
}

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isSeparatorCode(code: number): boolean {
  // space, no-break space, ( ) - . /
  return code === 32 || code === 160 || code === 40 || code === 41 || code === 45 || code === 46 || code === 47;
}

const nextDigit = /[0-9]/g;

/**
 * Calls `visit` for every number token of `text`, in order: a digit, then more digits each after at most two
 * separators (space, no-break space, brackets, `-`, `.`, `/`). One token object is reused for every call, so a scan
 * allocates nothing per number; `visit` must not keep it.
 */
export function forEachNumberToken(text: string, visit: (token: NumberToken) => void): void {
  const token: NumberToken = { start: 0, end: 0, digitCount: 0 };
  const length = text.length;
  // Between numbers, the regex engine skips the text in native code, several times faster than a charCodeAt loop
  // over prose; but one regex call costs as much as reading about ten characters, so where the last two gaps between
  // numbers were short (tables, lists, arithmetic) the next few characters are read here first. Only digits and
  // separators of a token are read in any case.
  let index = -1;
  let shortGaps = 0;
  nextDigit.lastIndex = 0;
  if (nextDigit.test(text)) index = nextDigit.lastIndex - 1;
  while (index !== -1) {
    let digitCount = 1;
    let end = index + 1;
    let cursor = end;
    while (cursor < length) {
      const code = text.charCodeAt(cursor);
      if (isDigitCode(code)) {
        digitCount += 1;
        cursor += 1;
        end = cursor;
      } else if (isSeparatorCode(code)) {
        const next = text.charCodeAt(cursor + 1);
        if (isDigitCode(next)) cursor += 1;
        else if (isSeparatorCode(next) && isDigitCode(text.charCodeAt(cursor + 2))) cursor += 2;
        else break;
      } else break;
    }
    token.start = index;
    token.end = end;
    token.digitCount = digitCount;
    visit(token);
    // The char at `end` is no digit (the token would have taken it): the search goes on after it.
    const near = shortGaps >= 2 ? Math.min(length, end + nearDigits) : end + 1;
    index = end + 1;
    while (index < near && !isDigitCode(text.charCodeAt(index))) index += 1;
    if (index >= near) {
      nextDigit.lastIndex = near;
      index = nextDigit.test(text) ? nextDigit.lastIndex - 1 : -1;
    }
    shortGaps = index !== -1 && index - end < nearDigits ? shortGaps + 1 : 0;
  }
}

/** Characters after a token read one by one before the regex takes over the search for the next digit. */
const nearDigits = 8;
