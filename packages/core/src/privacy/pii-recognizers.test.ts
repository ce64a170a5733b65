import { describe, expect, it } from 'vitest';
import {
  isAbaRoutingValid,
  isDutchBsnValid,
  isFrenchNirValid,
  isGermanTaxIdValid,
  isItalianFiscalCodeValid,
  isSpanishIdValid,
} from './checksums.js';
import { createPiiDetector, detectPii, piiRecognizers } from './detect-pii.js';
import { piiKinds } from './pii-kind.js';

describe('detector v2: the layouts a review found missing', () => {
  it.each([
    ['2125550173', 'phone-number'],
    ['Ring me on 07911 123456 after six', 'phone-number'],
    ['Büro: 089 1234567', 'phone-number'],
    ['Appelez le +33 1 23 45 67 89', 'phone-number'],
    ['Appelez le 0033 1 23 45 67 89', 'phone-number'],
    ['my SSN is 123456789', 'national-id'],
    ['NINO AB 12 34 56 C', 'national-id'],
    ['Ship it to 221B Baker Street, London NW1 6XE', 'street-address'],
    ['Lieferadresse: Hauptstraße 5, 10115 Berlin', 'street-address'],
    ['I was born on 12/03/1985 in Leeds', 'date-of-birth'],
    ['Geboren am 12. März 1985', 'date-of-birth'],
    ['Hi, my name is Priya Natarajan and I need help', 'person-name'],
    ['Thanks for the help!\n\nBest regards,\nTomás Álvarez', 'person-name'],
    ['Someone logged in from 198.51.100.23 last night', 'ip-address'],
    ['connect with postgres://app:s3cret@db.internal:5432/app', 'secret'],
    ['write to ada at example dot com', 'email'],
    ['key sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345', 'secret'],
    ['STRIPE_KEY sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'secret'],
    ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'secret'],
    ['passport number 533380006', 'passport'],
    ['routing number 021000021, account number 000123456789', 'bank-account'],
  ])('finds %j as %s', (text, kind) => {
    expect(detectPii(text, { regions: ['US'] }).kinds).toContain(kind);
  });

  it.each([
    'The subnet 10.0.0.0/8 and 192.168.1.0/24 are private ranges; route 0.0.0.0/0 to the gateway.',
    'He is 123456789 years old, in a story about very old trees.',
    'Version 10.0.19041.1 shipped on 2024-01-15 at 12:30.',
    'ISBN 978-3-16-148410-0 and UUID 123e4567-e89b-12d3-a456-426614174000',
    'A train leaves at 14:05 and travels 1250 km at 250 km/h; how long is the trip?',
    'I am happy to help with the sum 3 + 4 = 7.',
  ])('reports nothing for %j', (text) => {
    expect(detectPii(text, { regions: ['US'] }).kinds).toEqual([]);
  });

  it('reports where and what, never the value', () => {
    const text = 'Card 4111 1111 1111 1111, call +44 20 7946 0958';
    const { findings } = detectPii(text);
    expect(findings.map((finding) => [finding.kind, text.slice(finding.start, finding.end)])).toEqual([
      ['card-number', '4111 1111 1111 1111'],
      ['phone-number', '+44 20 7946 0958'],
    ]);
    for (const finding of findings) {
      expect(Object.keys(finding).sort()).toEqual(['confidence', 'end', 'kind', 'recognizer', 'start']);
      expect(finding.confidence).toBeGreaterThan(0.5);
    }
  });

  it('keeps the surer finding where two overlap (an IBAN is not also a phone number)', () => {
    const { findings } = detectPii('IBAN DE89 3704 0044 0532 0130 00');
    expect(findings.map((finding) => finding.kind)).toEqual(['iban']);
  });

  it('reads national phone layouts in the configured region first, with more confidence', () => {
    const text = 'Llámame al 612 34 56 78';
    expect(detectPii(text, { regions: ['US'] }).kinds).toEqual([]);
    const spanish = detectPii(text, { regions: ['ES'] });
    expect(spanish.kinds).toEqual(['phone-number']);
    expect(spanish.findings[0]!.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it('honours kinds and minConfidence', () => {
    const text = 'mail ada@example.org from 203.0.113.9';
    expect(createPiiDetector({ kinds: ['email'] })(text).kinds).toEqual(['email']);
    // A public address with no context word scores 0.6: found at 0.5, dropped at 0.7.
    expect(createPiiDetector({ minConfidence: 0.5 })('seen 203.0.113.9').kinds).toEqual(['ip-address']);
    expect(createPiiDetector({ minConfidence: 0.7 })('seen 203.0.113.9').kinds).toEqual([]);
  });

  it('rejects bad options with a message naming the option and the fix', () => {
    expect(() => createPiiDetector({ minConfidence: 2 })).toThrow(/minConfidence must be a number from 0 to 1/);
    expect(() => createPiiDetector({ regions: ['XX'] })).toThrow(/unknown region "XX".*ISO 3166-1 alpha-2/);
    expect(() => createPiiDetector({ kinds: ['postcode' as never] })).toThrow(/unknown PII kind "postcode"/);
  });

  it('names every recognizer once, and every kind has at least one', () => {
    const names = piiRecognizers.map((recognizer) => recognizer.name);
    expect(new Set(names).size).toBe(names.length);
    for (const kind of piiKinds) expect(piiRecognizers.some((recognizer) => recognizer.kind === kind)).toBe(true);
  });
});

describe('check digits of national ids and routing numbers', () => {
  it.each([
    [isAbaRoutingValid, '021000021', '021000022'],
    [isFrenchNirValid, '185057800608491', '185057800608436'],
    [isSpanishIdValid, '12345678Z', '12345678A'],
    [isSpanishIdValid, 'X1234567L', 'X1234567A'],
    [isDutchBsnValid, '111222333', '111222334'],
    [isGermanTaxIdValid, '86095742719', '86095742718'],
    [isItalianFiscalCodeValid, 'RSSMRA85T10A562S', 'RSSMRA85T10A562T'],
  ] as const)('%o accepts %s and rejects %s', (check, valid, invalid) => {
    expect(check(valid)).toBe(true);
    expect(check(invalid)).toBe(false);
  });
});
