#!/usr/bin/env node
// Writes src/privacy/phone-numbering-plans.ts from libphonenumber-js's `max` metadata: per region its possible
// lengths, national prefix rules and leading digits, the regions behind each calling code, and for the regions the
// detector reads national layouts in by default (plus the non-geographic codes) the national number pattern and the
// patterns of each number type, which is what libphonenumber's validity checks. The browser build's phone check
// reads it; a core test fails when it no longer matches the installed libphonenumber-js (rerun
// `node scripts/phone-numbering-plans.mjs` after an upgrade).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The regions whose number types ship: contact-recognizers.ts's fallbackPhoneRegions (every dialled national layout
 * is tried in them, so they decide most of the check's false positives; a core test keeps the lists equal), and every
 * region sharing a calling code with one of them (a +1 number may belong to JM or AI, a +44 one to JE). The other
 * regions' types would add ~16 KB gzip and their national number patterns ~2 KB; there the check reads the possible
 * lengths.
 */
export const fallbackRegions = [
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

/** {@link fallbackRegions} and the regions that share their calling codes, in metadata order. */
export function typedRegions() {
  const metadata = require('libphonenumber-js/metadata.max.json');
  return Object.values(metadata.country_calling_codes)
    .filter((regions) => regions.some((region) => fallbackRegions.includes(region)))
    .flat();
}

// A metadata entry: [calling code, international prefix (1), national pattern (2), possible lengths (3), formats,
// national prefix (5), its formatting rule, prefix for parsing (7), its transform rule (8), ..., leading digits (10),
// types (11): [pattern, possible lengths?] or 0 per type].
const trimEnd = (array) => {
  while (array.length > 0 && (array.at(-1) === '' || array.at(-1) === undefined)) array.pop();
  return array;
};
// Outside the typed regions the plan carries no national number pattern (''): the check reads the possible lengths
// there (row 10 in BENCHMARKS.md: ~2 KB gzip less in a page; those regions' numbers are read from `+` and their
// calling code, or in a page that names the region, where a length is almost all a pattern says).
const plan = (data, withPattern) =>
  trimEnd([
    withPattern ? data[2] : '',
    data[3] ?? [],
    data[5] || '',
    data[7] || data[5] || '',
    data[8] || '',
    data[10] || '',
    data[1] || '',
  ]);
// A type without lengths of its own has the region's (the plan's second entry), as in libphonenumber.
const types = (data) =>
  (data[11] ?? []).filter((type) => type?.[0]).map((type) => (type[1] ? [type[0], type[1]] : [type[0]]));

// The digits a national format adds to the national number: its national prefix rule's ("0$1": the trunk prefix) and
// its own, if any. A format without a rule takes the region's, and a region without formats its calling code's main
// region's (as libphonenumber's Metadata does).
const addedDigits = (text) => (text ? text.replace(/\$\d/g, '').replace(/\D/g, '').length : 0);
function nationalFormats(metadata, region) {
  const data = metadata.countries[region];
  const main = metadata.countries[metadata.country_calling_codes[data[0]][0]];
  return (data[4] || main[4] || []).map((format) => [
    format[0],
    Array.isArray(format[2]) ? format[2].at(-1) : '',
    addedDigits(format[3] || data[6] || main[6]) + addedDigits(format[1]),
  ]);
}

/** The plans, from the installed libphonenumber-js. */
export function phoneNumberingPlans() {
  const metadata = require('libphonenumber-js/metadata.max.json');
  const regionPlans = {};
  const typed = new Set(typedRegions());
  for (const [region, data] of Object.entries(metadata.countries)) regionPlans[region] = plan(data, typed.has(region));
  const nonGeographicPlans = {};
  const typePlans = {};
  for (const [code, data] of Object.entries(metadata.nonGeographic ?? {})) {
    nonGeographicPlans[code] = plan(data, true);
    typePlans[code] = types(data);
  }
  for (const region of typedRegions()) typePlans[region] = types(metadata.countries[region]);
  const formatPlans = {};
  for (const region of typedRegions()) {
    const formats = nationalFormats(metadata, region);
    if (formats.some(([, , added]) => added > 0)) formatPlans[region] = formats;
  }
  return {
    regionPlans,
    callingCodeRegions: metadata.country_calling_codes,
    nonGeographicPlans,
    typePlans,
    formatPlans,
  };
}

/** The plans as the TypeScript module's source text (Biome formats it after writing). */
export function phoneNumberingPlansSource() {
  const version = require('libphonenumber-js/package.json').version;
  const { regionPlans, callingCodeRegions, nonGeographicPlans, typePlans, formatPlans } = phoneNumberingPlans();
  return `// Generated by scripts/phone-numbering-plans.mjs from libphonenumber-js ${version} (metadata.max.json): do not edit.

/**
 * Region → [national number pattern ('' outside the regions whose types ship: read the lengths), possible lengths,
 * national prefix?, prefix-for-parsing pattern?, its transform rule?, leading digits?, international (IDD) prefix?].
 */
export const regionPlans: Readonly<Record<string, readonly (string | readonly number[])[]>> = ${JSON.stringify(regionPlans)};

/** Calling code → the regions that share it (the first is the main one). */
export const callingCodeRegions: Readonly<Record<string, readonly string[]>> = ${JSON.stringify(callingCodeRegions)};

/** Non-geographic calling code (800, 808, 870, ...) → its plan, laid out as a region's. */
export const nonGeographicPlans: Readonly<Record<string, readonly (string | readonly number[])[]>> = ${JSON.stringify(nonGeographicPlans)};

/**
 * Region or non-geographic code → [pattern, possible lengths?] of each of its number types (some regions only; without
 * lengths, the plan's).
 */
export const typePlans: Readonly<Record<string, readonly (readonly [string, (readonly number[])?])[]>> = ${JSON.stringify(typePlans)};

/**
 * Region → its national formats as [pattern, last leading-digits pattern, digits the format adds (the trunk prefix)],
 * for the regions whose types ship and whose national format adds digits.
 */
export const formatPlans: Readonly<Record<string, readonly (readonly [string, string, number])[]>> = ${JSON.stringify(formatPlans)};
`;
}

/** Every region libphonenumber knows, as one string of two-letter codes in its metadata's order. */
export function phoneRegionCodes() {
  return Object.keys(require('libphonenumber-js/metadata.max.json').countries).join('');
}

/**
 * The region codes as phone-regions.ts's source: the browser build loads the plans on demand, but validating a
 * policy's regions (and reading the device's) is synchronous, so the codes ship with the first load.
 */
export function phoneRegionsSource() {
  const version = require('libphonenumber-js/package.json').version;
  return `// Generated by scripts/phone-numbering-plans.mjs from libphonenumber-js ${version} (metadata.max.json): do not edit.

/** The two-letter codes of every region libphonenumber knows, joined. */
export const phoneRegionCodes = '${phoneRegionCodes()}';
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, source] of [
    ['phone-numbering-plans.ts', phoneNumberingPlansSource()],
    ['phone-regions.ts', phoneRegionsSource()],
  ]) {
    const target = fileURLToPath(new URL(`../src/privacy/${file}`, import.meta.url));
    writeFileSync(target, source);
    execFileSync('pnpm', ['exec', 'biome', 'format', '--write', target], { stdio: 'inherit' });
    console.log(`wrote ${target}`);
  }
}
