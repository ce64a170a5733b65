import { callingCodeRegions, nonGeographicPlans, regionPlans } from './phone-numbering-plans.js';

/**
 * The browser build's phone check: the three libphonenumber-js calls the phone recognizer makes, answered from each
 * region's national number pattern (the union of its number types' patterns, ~5 KB gzip, generated from
 * libphonenumber-js's `max` metadata) instead of the full metadata (~55 KB gzip in a page, more than the rest of the
 * router).
 *
 * It accepts every number libphonenumber accepts (a number valid as one type of a region matches the region's national
 * pattern) and some more (a number can match the union without matching one type; the trunk prefix is not checked):
 * the privacy guarantee (recall) is kept, and a few more long numbers keep a request on the device. BENCHMARKS.md
 * (row 10) and the README give the measured recall and false positives of both checks.
 */

const patterns = new Map<string, RegExp>();

function fullMatch(pattern: string, digits: string): boolean {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^(?:${pattern})$`);
    patterns.set(pattern, regex);
  }
  return regex.test(digits);
}

/** Whether libphonenumber knows `region` (an ISO 3166-1 alpha-2 code in capitals). */
export function isSupportedCountry(region: string): boolean {
  return Object.hasOwn(regionPlans, region);
}

/** The national numbers `digits` may stand for in `region`: as written, without its trunk prefix, as parsed. */
function nationalCandidates(digits: string, plan: readonly string[]): string[] {
  const [, prefix, prefixForParsing, transform] = plan;
  const candidates = [digits];
  if (prefix && digits.startsWith(prefix)) candidates.push(digits.slice(prefix.length));
  if (prefixForParsing) {
    const match = new RegExp(`^(?:${prefixForParsing})`).exec(digits);
    if (match) {
      const rest = digits.slice(match[0].length);
      candidates.push(rest);
      if (transform) candidates.push(match[0].replace(new RegExp(`^(?:${prefixForParsing})`), transform) + rest);
    }
  }
  return candidates;
}

function validInRegion(digits: string, region: string): boolean {
  const plan = regionPlans[region];
  if (plan === undefined) return false;
  const pattern = plan[0] as string;
  return nationalCandidates(digits, plan).some((candidate) => fullMatch(pattern, candidate));
}

function validInternational(digits: string): boolean {
  for (let size = 1; size <= 3; size += 1) {
    const code = digits.slice(0, size);
    const national = digits.slice(size);
    const nonGeographic = nonGeographicPlans[code];
    if (nonGeographic !== undefined) return fullMatch(nonGeographic, national);
    const regions = callingCodeRegions[code];
    // "+49 (0)89 …": a trunk prefix written in an international number is dropped, as libphonenumber drops it.
    if (regions !== undefined) return regions.some((region) => validInRegion(national, region));
  }
  return false;
}

/** What the recognizer reads of a parsed number: whether it may be valid, and its national format. */
interface ParsedNumber {
  isValid(): boolean;
  formatNational(): string;
}

/**
 * A number written with `+` and a known calling code whose national part matches a region under that code; else, in
 * `region`, one that matches the region's pattern. The national format is the number as written, so the recognizer's
 * trunk-prefix test never rejects it (libphonenumber's format can).
 */
export function parsePhoneNumberFromString(text: string, region?: string): ParsedNumber | undefined {
  const digits = text.replace(/\D/g, '');
  let valid: boolean;
  if (text.trimStart().startsWith('+')) valid = validInternational(digits);
  else if (region !== undefined && isSupportedCountry(region)) valid = validInRegion(digits, region);
  else return undefined;
  return { isValid: () => valid, formatNational: () => text };
}

// libphonenumber's matcher rejects these candidates before parsing them (its isValidPreCandidate and
// isValidCandidate): dates with slashes, time stamps followed by ":mm", and page ranges such as "211-227 (2003)".
const slashSeparatedDates = /(?:(?:[0-3]?\d\/[01]?\d)|(?:[01]?\d\/[0-3]?\d))\/(?:[12]\d)?\d{2}/;
const timeStamps = /[12]\d{3}[-/]?[01]\d[-/]?[0-3]\d +[0-2]\d:[0-5]\d/;
const publicationPages = /\d{1,5}-+\d{1,5}\s{0,4}\(\d{1,4}/;

/** The numbers libphonenumber's matcher may find in `text`: the whole text, unless it is a date or a time stamp. */
export function findPhoneNumbersInText(text: string, _region?: string): { startsAt: number }[] {
  if (slashSeparatedDates.test(text) || timeStamps.test(text) || publicationPages.test(text)) return [];
  return [{ startsAt: 0 }];
}
