import examples from 'libphonenumber-js/examples.mobile.json';
import {
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString as parseMax,
} from 'libphonenumber-js/max';
import { describe, expect, it, vi } from 'vitest';
import {
  fallbackRegions,
  phoneRegionCodes as generatedRegionCodes,
  phoneNumberingPlans,
  typedRegions,
  // @ts-expect-error: a plain .mjs script without declarations
} from '../../scripts/phone-numbering-plans.mjs';
import {
  callingCodeRegions,
  formatPlans,
  nonGeographicPlans,
  regionPlans,
  typePlans,
} from './phone-numbering-plans.js';
import * as browser from './phone-numbers.browser.js';
import { phoneRegionCodes } from './phone-regions.js';
import { fallbackPhoneRegions } from './recognizers/contact-recognizers.js';

// The detector as the browser build bundles it: this file's imports of ./phone-numbers.js get the browser module.
vi.mock('./phone-numbers.js', () => import('./phone-numbers.browser.js'));
const { createPiiDetector } = await import('./detect-pii.js');
// The full check: its numbering plans load on demand (phone-numbers-loading.browser.test.ts covers the time before).
await browser.loadPhoneCheck();

const digitCount = (text: string) => text.replace(/\D/g, '').length;

describe("the browser build's phone check (numbering-plan patterns instead of libphonenumber's max metadata)", () => {
  it('ships the plans generated from the installed libphonenumber-js (rerun scripts/phone-numbering-plans.mjs)', () => {
    expect({ regionPlans, callingCodeRegions, nonGeographicPlans, typePlans, formatPlans }).toEqual(
      phoneNumberingPlans(),
    );
    // The region codes ship in the first load (the plans on demand); they are the plans' regions.
    expect(phoneRegionCodes).toBe(generatedRegionCodes());
    expect(phoneRegionCodes).toBe(Object.keys(regionPlans).join(''));
  });

  it("ships the number types of the detector's fallback regions and of the regions sharing their calling codes", () => {
    expect(fallbackRegions).toEqual(fallbackPhoneRegions);
    expect(Object.keys(typePlans).filter((key) => /^[A-Z]{2}$/.test(key))).toEqual(typedRegions());
  });

  it('knows exactly the regions libphonenumber knows, so a policy validates the same in a page', () => {
    for (const region of getCountries()) expect(browser.isSupportedCountry(region), region).toBe(true);
    expect(browser.isSupportedCountry('XX')).toBe(false);
    expect(browser.isSupportedCountry('de')).toBe(false);
  });

  it("accepts every region's example number that libphonenumber validates, national and international", () => {
    let checked = 0;
    for (const region of getCountries()) {
      const example = getExampleNumber(region, examples);
      if (example === undefined || !parseMax(example.number, region)?.isValid()) continue;
      checked += 1;
      expect(browser.parsePhoneNumberFromString(example.formatNational(), region)?.isValid(), region).toBe(true);
      expect(browser.parsePhoneNumberFromString(example.formatInternational())?.isValid(), region).toBe(true);
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('rejects numbers no plan has: an unknown calling code, a length no region uses', () => {
    expect(browser.parsePhoneNumberFromString('+999 1234 5678')?.isValid() ?? false).toBe(false);
    expect(browser.parsePhoneNumberFromString('123', 'US')?.isValid()).toBe(false);
    expect(browser.parsePhoneNumberFromString('212 555 0173')).toBeUndefined();
  });

  it('finds the phone layouts the Node build finds', () => {
    for (const [text, region] of [
      ['Ring me on 07911 123456 after six', 'GB'],
      ['Büro: 089 1234567', 'DE'],
      ['Appelez le +33 1 23 45 67 89', 'US'],
      ['Appelez le 0033 1 23 45 67 89', 'US'],
      ['Für Rückfragen: +49 (0)89 1234567', 'DE'],
      ['call (212) 555-0173 tonight', 'US'],
    ] as const) {
      expect(createPiiDetector({ regions: [region] })(text).kinds, text).toContain('phone-number');
    }
  });

  it('still rejects dates and time stamps as libphonenumber does', () => {
    const detect = createPiiDetector({ regions: ['US'], kinds: ['phone-number'] });
    expect(detect('The release shipped on 2024-01-15 12:30 UTC').kinds).toEqual([]);
    expect(detect('Invoice dated 12/03/2024 is overdue').kinds).toEqual([]);
  });

  it('answers as libphonenumber does in the regions whose number types ship, national and international', () => {
    // A fixed pseudo-random sample of digit runs of the lengths the recognizer reads, with and without a trunk prefix.
    let seed = 22;
    const digits = (length: number) =>
      Array.from({ length }, () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return String(seed % 10);
      }).join('');
    const typedCodes = new Set((typedRegions() as string[]).map((region) => getCountryCallingCode(region as never)));
    let valid = 0;
    for (const region of typedRegions() as string[]) {
      for (let index = 0; index < 400; index += 1) {
        const run = digits(7 + (index % 6));
        for (const written of [run, `0${run}`, `1${run}`]) {
          const node = parseMax(written, region as never);
          const expected = node?.isValid() ?? false;
          valid += expected ? 1 : 0;
          const parsed = browser.parsePhoneNumberFromString(written, region);
          const answer = parsed?.isValid();
          // "0064 …" dialled from NL is a New Zealand number: a region without types, where any Node answer is kept.
          if (node !== undefined && !typedCodes.has(node.countryCallingCode)) expect(answer || !expected).toBe(true);
          else {
            expect(answer, `${region} ${written}`).toBe(expected);
            // The recognizer's trunk-prefix test counts the national format's digits.
            if (expected)
              expect(digitCount(parsed!.formatNational()), written).toBe(digitCount(node!.formatNational()));
          }
        }
        const international = `+${getCountryCallingCode(region as never)}${run}`;
        expect(browser.parsePhoneNumberFromString(international)?.isValid(), international).toBe(
          parseMax(international)?.isValid() ?? false,
        );
      }
    }
    expect(valid).toBeGreaterThan(1000);
  });

  it('reads possible lengths elsewhere: it accepts every number libphonenumber accepts, and lengths no plan lists it rejects', () => {
    // No national number pattern ships outside the typed regions (~2 KB gzip in a page): a number there is valid when
    // it has one of the region's possible lengths, a superset of libphonenumber's answer.
    const typed = new Set(typedRegions() as string[]);
    const untyped = getCountries().filter((region) => !typed.has(region));
    expect(untyped.every((region) => regionPlans[region]?.[0] === '')).toBe(true);
    let seed = 41;
    const digits = (length: number) =>
      Array.from({ length }, () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return String(Math.floor(seed / 65536) % 10);
      }).join('');
    let valid = 0;
    for (const region of untyped) {
      const code = getCountryCallingCode(region);
      for (let index = 0; index < 60; index += 1) {
        const run = digits(5 + (index % 10));
        for (const [written, inRegion] of [
          [run, region],
          [`0${run}`, region],
          [`+${code}${run}`, undefined],
        ] as const) {
          if (!parseMax(written, inRegion)?.isValid()) continue;
          valid += 1;
          expect(browser.parsePhoneNumberFromString(written, inRegion)?.isValid(), `${region} ${written}`).toBe(true);
        }
      }
    }
    expect(valid).toBeGreaterThan(1000);
    // New Zealand's national numbers have 5 to 10 digits: after +64, 8 fit (no type of NZ's does) and 11 do not.
    expect(browser.parsePhoneNumberFromString('+64 2806 6684')?.isValid()).toBe(true);
    expect(browser.parsePhoneNumberFromString('+64 2806 6684 123')?.isValid()).toBe(false);
  });

  it('keeps a request on the device for numbers no shipped type rules out: 10-digit runs in a US page', () => {
    // 4294967295 and 255.255.255.0 fit the US national pattern but no US number type (429 and 255 are no area codes).
    const detect = createPiiDetector({ regions: ['US'] });
    expect(detect('why is 4294967295 the largest unsigned 32-bit integer?').kinds).toEqual([]);
    expect(detect('Netmask 255.255.255.0 equals which CIDR prefix length?').kinds).toEqual([]);
    expect(detect('call (212) 555-0173 tonight').kinds).toEqual(['phone-number']);
  });
});
