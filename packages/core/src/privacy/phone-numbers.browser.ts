import { onDemandModule } from '@switchyard/contract';
import type { ParsedNumber } from './parse-phone-number.js';
import { phoneRegionCodes } from './phone-regions.js';

/**
 * The browser build's phone check: the three libphonenumber-js calls the phone recognizer makes, plus the loading
 * state of the numbering plans they are answered from (parse-phone-number.ts). The plans are ~13.6 KB gzip, so they
 * load on demand (`import()`, a chunk of their own in a page: bench row 10), and only when needed: the detector starts
 * them ({@link loadPhoneCheck}) the first time a scan finds a number only they can decide, or when someone waits for a
 * detector's `ready`; never by importing core or creating a router. A page whose texts hold no phone-like number never
 * fetches them.
 *
 * Until they have loaded, a provisional check answers: every number the full check could read (written with `+`, or
 * in a known region) counts as valid, in the layout it was written in, so the recognizer flags every candidate the
 * full check flags and more. It errs towards keeping a request on the device, the privacy-safe direction. A text in
 * which the provisional check found nothing is answered exactly as the full check would answer it. A router's
 * request (`generate()`, `stream()`) whose text holds such a candidate waits for the load before planning, so it is
 * routed exactly as after it; other requests do not wait. Only synchronous calls (`router.plan()`, the detector
 * itself) get the provisional answer, and a plan says so. If the chunk cannot be loaded (an offline page, a blocked
 * request) the provisional check stays; requests are never failed or held for it (see {@link loadPhoneCheck}). The
 * Node build (phone-numbers.ts) is always complete.
 */

type FullCheck = typeof import('./parse-phone-number.js');

const plans = onDemandModule<FullCheck>(() => import('./parse-phone-number.js'));
let loading: Promise<void> | undefined;

/**
 * Starts loading the numbering plans (once); resolves when they loaded, failed to, or gave no answer within the
 * contract's `onDemandGiveUpMs` (10 s). Unlike the router's other chunks it is not tried again after a failure: the
 * provisional check then stays, and requests are never failed or held for it.
 */
export function loadPhoneCheck(): Promise<void> {
  loading ??= plans.load().then(() => undefined);
  return loading;
}

/** Whether a request need not wait for the plans: they loaded, or could not be (the provisional check then stays). */
export function isPhoneCheckSettled(): boolean {
  return plans.loaded !== undefined || plans.problem !== undefined;
}

/** Whether phone numbers are checked provisionally (the plans have not loaded, or could not be). */
export function isPhoneCheckProvisional(): boolean {
  return plans.loaded === undefined;
}

let regions: Set<string> | undefined;

/** Whether libphonenumber knows `region` (an ISO 3166-1 alpha-2 code in capitals); known before the plans load. */
export function isSupportedCountry(region: string): boolean {
  regions ??= new Set(phoneRegionCodes.match(/[A-Z]{2}/g));
  return regions.has(region);
}

const provisionalNumber = (text: string): ParsedNumber => ({ isValid: () => true, formatNational: () => text });

/**
 * A number written with `+`, or else a number in `region`, read as libphonenumber reads it once the plans loaded;
 * before that, provisionally valid as written (see the module comment).
 */
export function parsePhoneNumberFromString(text: string, region?: string): ParsedNumber | undefined {
  const fullCheck = plans.loaded;
  if (fullCheck !== undefined) return fullCheck.parsePhoneNumber(text, region);
  if (text.trimStart().startsWith('+') || (region !== undefined && isSupportedCountry(region))) {
    return provisionalNumber(text);
  }
  return undefined;
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
