/**
 * The phone-number library the detector checks numbers with: libphonenumber-js with its `max` metadata (every
 * region's full number patterns, ~55 KB gzip in a page). The browser build of the package replaces this module with
 * `phone-numbers.browser.ts` (see tsup.config.ts), which loads its numbering plans on demand; both export the same
 * functions. Here the check is complete from the start: nothing to load, nothing provisional.
 */
export { findPhoneNumbersInText, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

const loaded: Promise<void> = Promise.resolve();

/** Nothing to load on Node: resolves at once. */
export function loadPhoneCheck(): Promise<void> {
  return loaded;
}

/** Always settled on Node. */
export function isPhoneCheckSettled(): boolean {
  return true;
}

/** Never provisional on Node. */
export function isPhoneCheckProvisional(): boolean {
  return false;
}
