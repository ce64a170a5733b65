import { findPhoneNumbersInText, isPhoneCheckProvisional, parsePhoneNumberFromString } from '../phone-numbers.js';
import type { PiiScan } from '../pii-scan.js';
import { isDigitCode } from '../pii-scan.js';
import { provisionalPhoneRecognizer } from '../provisional-phone-recognizer.js';
import type { PiiRecognizer } from '../recognizer.js';

// The lookbehind starts a match only at the beginning of a run, keeping the scan linear on long words.
const emailPattern = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** Email addresses. */
export const emailRecognizer: PiiRecognizer = {
  name: 'email',
  kind: 'email',
  scanText(scan) {
    if (!scan.text.includes('@')) return;
    emailPattern.lastIndex = 0;
    for (let match = emailPattern.exec(scan.text); match !== null; match = emailPattern.exec(scan.text)) {
      scan.add('email', 'email', match.index, match.index + match[0].length, 0.95);
    }
  },
};

const at = String.raw`(?:\s*[([{<]\s*at\s*[)\]}>]\s*|\s+at\s+)`;
const dot = String.raw`(?:\s*[([{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)`;
const topLevel =
  '(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|be|ch|at|eu|info|me|dev|ai|app|us|ca|au|jp|br|in|pl|se|no|dk|fi|pt|ie|mx)';
const obfuscatedEmailPattern = new RegExp(
  String.raw`(?<![\w.+-])[a-z0-9][a-z0-9._%+-]*${at}[a-z0-9-]+(?:${dot}[a-z0-9-]+)*?${dot}${topLevel}\b`,
  'gi',
);
// The pattern's "at" is either bracketed ("(at)", "[ at ]") or a plain word between spaces; a plain one must be
// followed by a domain label and then a dot, written as "." or as the word "dot" (in any case, as the pattern reads
// it). Two regexes answer that in native code, and together they accept every text the pattern can match: the
// bracketed one starts at a rare bracket and is cheap; the plain one starts at white space, which V8 steps through
// (about 1 µs on 4 KB of prose, still several times less than the whole pattern).
const bracketedAt = /[([{<]\s*at\s*[)\]}>]/i;
const plainAtThenDot = /\sat\s+[a-z0-9-]+(?:\.|\s*[([{<]\s*dot\s*[)\]}>]|\s+dot\s)/i;

/** Whether `text` may hold an obfuscated email: the pre-filter, exported so tests can prove it never hides one. */
export function mayHoldObfuscatedEmail(text: string): boolean {
  return bracketedAt.test(text) || plainAtThenDot.test(text);
}

/** Email addresses written to dodge scrapers: `ada at example dot org`, `ada(at)example.org`, `ada [at] example [dot] org`. */
export const obfuscatedEmailRecognizer: PiiRecognizer = {
  name: 'email-obfuscated',
  kind: 'email',
  scanText(scan) {
    if (scan.prefilter && !mayHoldObfuscatedEmail(scan.text)) return;
    obfuscatedEmailPattern.lastIndex = 0;
    for (
      let match = obfuscatedEmailPattern.exec(scan.text);
      match !== null;
      match = obfuscatedEmailPattern.exec(scan.text)
    ) {
      scan.add('email', 'email-obfuscated', match.index, match.index + match[0].length, 0.8);
    }
  },
};

/**
 * Regions tried after the caller's own for numbers written in a national layout (no `+`): the most common layouts
 * in the languages the detector reads. A number valid only there is reported with less confidence.
 */
export const fallbackPhoneRegions = [
  'US',
  'GB',
  'DE',
  'FR',
  'ES',
  'IT',
  'NL',
  'BE',
  'CH',
  'AT',
  'IE',
  'PT',
  'PL',
  'SE',
  'IN',
  'BR',
  'MX',
  'CA',
  'AU',
];

const phoneContext =
  /phone|call|tel\b|tel[.:]|mobile|cell|number|fax|whatsapp|text me|reach me|sms|handy|telefon|rufnummer|anruf|t[ée]l[ée]phone|portable|joindre|appel|tel[ée]fono|m[óo]vil|celular|llama|cellulare|chiama|bel me|mobiel|nummer|numéro|n[úu]mero/i;

const northAmerican = /^(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$/;

/** The digits of a written number (libphonenumber's `nationalNumber` leaves out a trunk prefix such as DE's `0`). */
function digitCount(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) if (isDigitCode(text.charCodeAt(index))) count += 1;
  return count;
}

/** Whether libphonenumber's matcher, which rejects dates, time stamps and numbers inside longer ones, agrees. */
function matcherAgrees(scan: PiiScan, probe: string, region: string | undefined): boolean {
  const answers = scan.once(phoneAnswersKey, newAnswers);
  const key = `m ${region ?? ''} ${probe}`;
  let agrees = answers.get(key) as boolean | undefined;
  if (agrees === undefined) {
    const [found] = findPhoneNumbersInText(probe, region as never);
    agrees = found !== undefined && found.startsAt <= 1;
    answers.set(key, agrees);
  }
  return agrees;
}

/** A number libphonenumber reads as valid in `region` (or from its `+`), and its national format's digit count. */
interface ValidPhone {
  nationalDigits: number;
}

// libphonenumber parses a candidate in 15–30 µs, and a prompt often repeats one (a date, an order number in a list):
// each answer is kept for the rest of the scan (and dropped with it), keyed by the written number and the region.
const phoneAnswersKey = Symbol('phone answers');
const newAnswers = () => new Map<string, ValidPhone | boolean | null>();

function validPhone(scan: PiiScan, written: string, region: string | undefined): ValidPhone | null {
  const answers = scan.once(phoneAnswersKey, newAnswers);
  const key = `p ${region ?? ''} ${written}`;
  let answer = answers.get(key) as ValidPhone | null | undefined;
  if (answer === undefined) {
    const number =
      region === undefined ? parsePhoneNumberFromString(written) : parsePhoneNumberFromString(written, region as never);
    answer = number?.isValid() ? { nationalDigits: digitCount(number.formatNational()) } : null;
    answers.set(key, answer);
  }
  return answer;
}

const recognizerName = () => (isPhoneCheckProvisional() ? provisionalPhoneRecognizer : 'phone-number');

/**
 * Phone numbers, through libphonenumber-js with the `max` metadata: a number must be valid for its region (the full
 * per-region number patterns), not just phone-shaped, and `findPhoneNumbersInText` must agree (it rejects dates and
 * time stamps). International numbers (`+` or `00`) need no region; national layouts are read in the caller's
 * regions first, then in {@link fallbackPhoneRegions}. A national number must be written with its trunk prefix where
 * the region has one (`089 …` in DE, not `89 …`), which keeps plain quantities from passing as German numbers.
 * Parsing is far cheaper than the matcher, so each candidate is parsed per region and matched once.
 */
export const phoneRecognizer: PiiRecognizer = {
  name: 'phone-number',
  kind: 'phone-number',
  digits: [7, 17],
  scanNumber(scan, token) {
    const text = scan.text;
    let start = token.start;
    const before = text.charCodeAt(start - 1);
    if (before === 43 /* + */ || before === 40 /* ( */) start -= 1;
    if (text.charCodeAt(start - 1) === 43 && text.charCodeAt(start) === 40) start -= 1;
    // A letter or digit glued to the front ("ID1234567", "v2.1234567") is a code, not a number to dial.
    if (start > 0 && /[\p{L}\d_]/u.test(text[start - 1]!)) return;
    let written = text.slice(start, token.end);
    const international = written.startsWith('+') || /^\(?00[1-9]/.test(written);
    if (!international && token.digitCount > 12) return;
    if (!international && written.startsWith('(') && !written.includes(')')) written = written.slice(1);
    if (international && !written.startsWith('+')) written = `+${written.replace(/^\(?00/, '')}`;
    // A little of what follows lets the matcher reject time stamps ("2024-01-15 12" + ":30").
    const probe = written + text.slice(token.end, token.end + 3);
    const boost = scan.hasContextAround(start, token.end, phoneContext) ? 0.2 : 0;
    if (international) {
      if (validPhone(scan, written, undefined) !== null && matcherAgrees(scan, probe, undefined)) {
        scan.add('phone-number', recognizerName(), start, token.end, 0.8 + boost);
      }
      return;
    }
    // In a region the caller did not name, only a layout that looks dialled counts: a trunk prefix ("07911 …",
    // "089 …") or North American grouping ("(212) 555-0173"); a bare run of digits there is more likely a count.
    const dialled = /^\(?0/.test(written) || northAmerican.test(written);
    const writtenDigits = token.digitCount;
    const tried = new Set<string>();
    for (const [regions, confidence] of [
      [scan.regions, 0.7],
      [dialled ? fallbackPhoneRegions : [], 0.55],
    ] as const) {
      for (const region of regions) {
        if (tried.has(region)) continue;
        tried.add(region);
        const number = validPhone(scan, written, region);
        if (number === null) continue;
        // Written without the trunk prefix the national format has: a quantity, not a number someone dials.
        if (number.nationalDigits > writtenDigits) continue;
        if (!matcherAgrees(scan, probe, region)) return;
        scan.add('phone-number', recognizerName(), start, token.end, confidence + boost);
        return;
      }
    }
  },
};
