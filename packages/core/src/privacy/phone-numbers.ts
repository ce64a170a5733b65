/**
 * The phone-number library the detector checks numbers with: libphonenumber-js with its `max` metadata (every
 * region's full number patterns, ~55 KB gzip in a page). The browser build of the package replaces this module with
 * `phone-numbers.browser.ts` (see tsup.config.ts); both export the same three functions.
 */
export { findPhoneNumbersInText, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
