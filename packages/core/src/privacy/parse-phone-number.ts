import {
  callingCodeRegions,
  formatPlans,
  nonGeographicPlans,
  regionPlans,
  typePlans,
} from './phone-numbering-plans.js';

/**
 * The browser build's full phone check: libphonenumber-js's parse, answered from numbering plans generated from its
 * `max` metadata (see phone-numbering-plans.ts) instead of the full metadata (~55 KB gzip in a page, more than the rest
 * of the router). phone-numbers.browser.ts loads this module on demand (`import()`), so a page's bundler puts it and
 * the plans in a chunk of their own (bench row 10); it imports nothing else, or the code it shared would load first.
 *
 * It follows libphonenumber's parse: the trunk prefix is stripped by the region's prefix-for-parsing rule (and kept
 * when stripping breaks the pattern or the length), a number starting with the region's calling code may be read
 * without it, and a number under a shared calling code belongs to the region its leading digits or types name. A
 * number is valid, as in libphonenumber, when it matches one of its region's number types (fixed line, mobile, toll
 * free, ...) where the plans carry them (the detector's fallback regions, the regions sharing their calling codes
 * and the non-geographic codes); elsewhere when it has one of the region's possible lengths, which accepts more
 * numbers (it errs towards keeping a request on the device: such a number is read from its `+` and calling code, or
 * in a page that names the region). BENCHMARKS.md (row 10) and the README give the measured recall and false
 * positives of both builds.
 */

type Plan = readonly (string | readonly number[])[];

const patterns = new Map<string, RegExp>();

function regex(source: string, prefix: boolean): RegExp {
  const key = `${prefix ? 'p' : 'f'}${source}`;
  let compiled = patterns.get(key);
  if (compiled === undefined) {
    compiled = new RegExp(prefix ? `^(?:${source})` : `^(?:${source})$`);
    patterns.set(key, compiled);
  }
  return compiled;
}

const fullMatch = (pattern: string, digits: string): boolean => regex(pattern, false).test(digits);
const lengths = (plan: Plan): readonly number[] => plan[1] as readonly number[];
/** Whether `digits` fit the plan: its national number pattern, or where none ships, one of its possible lengths. */
const fits = (plan: Plan, digits: string): boolean =>
  plan[0] ? fullMatch(plan[0] as string, digits) : lengths(plan).includes(digits.length);

const isSupportedCountry = (region: string): boolean => Object.hasOwn(regionPlans, region);

/** libphonenumber's checkNumberLength: too short, or a length between the plan's that it does not list. */
function impossibleLength(digits: string, plan: Plan): boolean {
  const possible = lengths(plan);
  if (possible.length === 0) return false;
  return (
    digits.length < (possible[0] as number) ||
    (digits.length <= (possible.at(-1) as number) && !possible.includes(digits.length))
  );
}

/** libphonenumber's extractNationalNumber: the national number without its trunk prefix, where stripping it fits. */
function nationalNumber(digits: string, plan: Plan): string {
  const [, , , prefixForParsing, transform] = plan as string[];
  if (!prefixForParsing) return digits;
  const prefixPattern = regex(prefixForParsing, true);
  const match = prefixPattern.exec(digits);
  if (match === null) return digits;
  const groups = match.length - 1;
  const captured = groups > 0 && match[groups];
  const national = transform && captured ? digits.replace(prefixPattern, transform) : digits.slice(match[0].length);
  if (national === digits) return digits;
  if (fits(plan, digits) && !fits(plan, national)) return digits;
  return impossibleLength(national, plan) ? digits : national;
}

/** libphonenumber's getNumberType, reduced to whether there is one; plans without types answer by their pattern (or lengths). */
function hasType(national: string, key: string, plan: Plan): boolean {
  if (!fits(plan, national)) return false;
  const types = typePlans[key];
  if (types === undefined) return true;
  return types.some(
    ([typePattern, typeLengths = lengths(plan)]) =>
      typeLengths.includes(national.length) && fullMatch(typePattern, national),
  );
}

/** A valid number: the region (or non-geographic code) it belongs to, and its national number. */
interface Reading {
  key: string;
  national: string;
}

/** libphonenumber's getCountryByCallingCode + isValid: the region the number belongs to, if it is valid there. */
function readUnderCallingCode(national: string, code: string): Reading | null {
  const valid = (key: string, plan: Plan) => (hasType(national, key, plan) ? { key, national } : null);
  const nonGeographic = nonGeographicPlans[code];
  if (nonGeographic !== undefined) return valid(code, nonGeographic);
  const regions = callingCodeRegions[code] ?? [];
  if (regions.length === 1) return valid(regions[0] as string, regionPlans[regions[0] as string] as Plan);
  for (const region of regions) {
    const plan = regionPlans[region] as Plan;
    const leadingDigits = plan[5] as string | undefined;
    if (leadingDigits) {
      if (national.search(leadingDigits) === 0) return valid(region, plan);
    } else if (hasType(national, region, plan)) return { key: region, national };
  }
  return null;
}

function readInternational(digits: string): Reading | null {
  for (let size = 1; size <= 3; size += 1) {
    const code = digits.slice(0, size);
    const plan = nonGeographicPlans[code] ?? regionPlans[callingCodeRegions[code]?.[0] ?? ''];
    // "+49 (0)89 …": a trunk prefix written in an international number is dropped, as libphonenumber drops it.
    if (plan !== undefined) return readUnderCallingCode(nationalNumber(digits.slice(size), plan), code);
  }
  return null;
}

/** The calling code of each region. */
let regionCallingCodes: Map<string, string> | undefined;

function readInRegion(digits: string, region: string): Reading | null {
  regionCallingCodes ??= new Map(
    Object.entries(callingCodeRegions).flatMap(([code, regions]) => regions.map((each) => [each, code] as const)),
  );
  const code = regionCallingCodes.get(region) ?? '';
  const plan = regionPlans[region] as Plan;
  // libphonenumber's stripIddPrefix: "011 44 …" dialled from the US is "+44 …".
  const idd = plan[6] as string | undefined;
  const iddMatch = idd ? regex(idd, true).exec(digits) : null;
  if (iddMatch !== null) {
    const rest = digits.slice(iddMatch[0].length);
    if (rest !== '' && !rest.startsWith('0')) return readInternational(rest);
  }
  // libphonenumber's extractCountryCallingCodeFromInternationalNumberWithoutPlusSign: "4989…" in DE may be "+49 89…";
  // read so, the number follows the calling code's main region's plan, as a number written with "+" does.
  if (digits.startsWith(code)) {
    const national = nationalNumber(digits, plan);
    if (
      (!fits(plan, national) && fits(plan, nationalNumber(digits.slice(code.length), plan))) ||
      (lengths(plan).length > 0 && national.length > (lengths(plan).at(-1) as number))
    ) {
      return readInternational(digits);
    }
  }
  return readUnderCallingCode(nationalNumber(digits, plan), code);
}

/**
 * The digits of libphonenumber's national format of a valid number, in the regions whose types ship: the national
 * number behind the digits its format's national prefix rule adds (DE `89 1234567` → `0891234567`), chosen as
 * libphonenumber chooses the format (the first whose last leading-digits pattern and pattern match). Elsewhere the
 * number as written, so the recognizer's trunk-prefix test does not reject it.
 */
function nationalFormatDigits({ key, national }: Reading, written: string): string {
  if (typePlans[key] === undefined) return written;
  const format = formatPlans[key]?.find(
    ([formatPattern, leadingDigits]) =>
      (leadingDigits === '' || national.search(leadingDigits) === 0) && fullMatch(formatPattern, national),
  );
  return '0'.repeat(format?.[2] ?? 0) + national;
}

/** What the recognizer reads of a parsed number: whether it is valid, and its national format. */
export interface ParsedNumber {
  isValid(): boolean;
  formatNational(): string;
}

/**
 * A number written with `+` and a known calling code, or else a number in `region`, read as libphonenumber reads it.
 * The national format is given by its digits (see {@link nationalFormatDigits}): the recognizer only counts them.
 */
export function parsePhoneNumber(text: string, region?: string): ParsedNumber | undefined {
  const digits = text.replace(/\D/g, '');
  let reading: Reading | null;
  if (text.trimStart().startsWith('+')) reading = readInternational(digits);
  else if (region !== undefined && isSupportedCountry(region)) reading = readInRegion(digits, region);
  else return undefined;
  return {
    isValid: () => reading !== null,
    formatNational: () => (reading === null ? text : nationalFormatDigits(reading, text)),
  };
}
