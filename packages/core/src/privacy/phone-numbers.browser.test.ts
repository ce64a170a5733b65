import examples from 'libphonenumber-js/examples.mobile.json';
import { getCountries, getExampleNumber, parsePhoneNumberFromString as parseMax } from 'libphonenumber-js/max';
import { describe, expect, it, vi } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { phoneNumberingPlans } from '../../scripts/phone-numbering-plans.mjs';
import { callingCodeRegions, nonGeographicPlans, regionPlans } from './phone-numbering-plans.js';
import * as browser from './phone-numbers.browser.js';

// The detector as the browser build bundles it: this file's imports of ./phone-numbers.js get the browser module.
vi.mock('./phone-numbers.js', () => import('./phone-numbers.browser.js'));
const { createPiiDetector } = await import('./detect-pii.js');

describe("the browser build's phone check (numbering-plan patterns instead of libphonenumber's max metadata)", () => {
  it('ships the plans generated from the installed libphonenumber-js (rerun scripts/phone-numbering-plans.mjs)', () => {
    expect({ regionPlans, callingCodeRegions, nonGeographicPlans }).toEqual(phoneNumberingPlans());
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

  it('errs towards detecting: a number valid only by its pattern union keeps the request on the device', () => {
    // libphonenumber's type patterns reject this 10-digit US run; the union of the patterns accepts it.
    const text = 'why is 4294967295 the largest unsigned 32-bit integer?';
    expect(createPiiDetector({ regions: ['US'] })(text).kinds).toEqual(['phone-number']);
  });
});
