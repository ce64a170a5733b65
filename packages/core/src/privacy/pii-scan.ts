import type { PiiKind } from './pii-kind.js';

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
  #digits: NumberToken | undefined;
  #digitString = '';

  constructor(
    readonly text: string,
    /** ISO 3166-1 alpha-2 regions whose national phone layouts are read first. */
    readonly regions: readonly string[],
    /** Whether recognizers may skip work their cheap pre-filters rule out (off only to test those pre-filters). */
    readonly prefilter = true,
  ) {}

  add(kind: PiiKind, recognizer: string, start: number, end: number, confidence: number): void {
    this.findings.push({ kind, recognizer, confidence: Math.min(1, confidence), start, end });
  }

  /** The digits of `token` without separators (cached for the token being dispatched). */
  digitsOf(token: NumberToken): string {
    if (this.#digits !== token) {
      this.#digits = token;
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

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

// A digit, then more digits each after at most two separators (space, no-break space, brackets, `-`, `.`, `/`).
// One regex pass finds the runs about twice as fast as a `charCodeAt` loop over the whole text.
const numberRun = /\d(?:[ \u00a0()./-]{0,2}\d)*/g;

/** Calls `visit` for every number token of `text`, in order. */
export function forEachNumberToken(text: string, visit: (token: NumberToken) => void): void {
  numberRun.lastIndex = 0;
  for (let match = numberRun.exec(text); match !== null; match = numberRun.exec(text)) {
    const run = match[0];
    let digitCount = 1;
    for (let index = 1; index < run.length; index += 1) if (isDigitCode(run.charCodeAt(index))) digitCount += 1;
    visit({ start: match.index, end: match.index + run.length, digitCount });
  }
}
