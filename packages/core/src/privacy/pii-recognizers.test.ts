import { InvalidConfigError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import {
  isAadhaarValid,
  isAbaRoutingValid,
  isAustralianTfnValid,
  isBrazilianCpfValid,
  isCalendarDate,
  isCanadianSinValid,
  isChineseResidentIdValid,
  isDutchBsnValid,
  isFrenchNirValid,
  isGermanTaxIdValid,
  isItalianFiscalCodeValid,
  isJapaneseMyNumberValid,
  isKoreanRrnChecksumValid,
  isKoreanRrnShaped,
  isLuhnValid,
  isMexicanCurpValid,
  isSpanishIdValid,
  isVerhoeffValid,
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
    expect(() => createPiiDetector({ minConfidence: 2 })).toThrow(
      /minConfidence: expected a number from 0 to 1, got 2/,
    );
    expect(() => createPiiDetector({ regions: ['XX'] })).toThrow(/regions\[0\]: expected an ISO 3166-1 alpha-2 code/);
    expect(() => createPiiDetector({ kinds: ['postcode' as never] })).toThrow(/kinds\[0\]: expected one of email/);
  });

  it('names a misspelt option and wrongly typed ones in an InvalidConfigError, showing numbers only', () => {
    let error: unknown;
    try {
      createPiiDetector({ minConfidance: 0.9, minConfidence: '0.5', regions: 'sk-secret' } as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).problems).toEqual([
      { path: 'minConfidance', message: 'expected one of kinds, minConfidence, regions' },
      { path: 'minConfidence', message: 'expected a number from 0 to 1' },
      { path: 'regions', message: 'expected an array' },
    ]);
    expect((error as Error).message).not.toContain('sk-secret');
    expect(createPiiDetector({ kinds: ['email'], minConfidence: 0.9, regions: ['DE'] }).options).toEqual({
      kinds: ['email'],
      minConfidence: 0.9,
      regions: ['DE'],
    });
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
    [isBrazilianCpfValid, '52998224725', '52998224726'],
    [isBrazilianCpfValid, '11144477735', '11111111111'],
    [isVerhoeffValid, '2363', '2364'],
    [isAadhaarValid, '234123412346', '134123412346'],
    [isCanadianSinValid, '046454286', '046454287'],
    [isAustralianTfnValid, '123456782', '123456783'],
    [isAustralianTfnValid, '45982151', '45982152'],
    [isChineseResidentIdValid, '11010519491231002X', '110105194912310021'],
    [isChineseResidentIdValid, '440304199003071213', '440304199002301213'],
    [isJapaneseMyNumberValid, '123456789018', '123456789012'],
    [isKoreanRrnShaped, '8501011234566', '8513011234566'],
    [isKoreanRrnChecksumValid, '8501011234566', '8501011234567'],
    [isMexicanCurpValid, 'BOXW310820HNERXN09', 'BOXW310820HNERXN08'],
    [isMexicanCurpValid, 'GODE561231HDFABC01', 'GODE561331HDFABC01'],
  ] as const)('%o accepts %s and rejects %s', (check, valid, invalid) => {
    expect(check(valid)).toBe(true);
    expect(check(invalid)).toBe(false);
  });
});

describe('birth dates inside id numbers', () => {
  it.each([
    [2024, 2, 29, true],
    [2023, 2, 29, false],
    [1900, 2, 29, false],
    [2000, 2, 29, true],
    [2023, 4, 31, false],
    [2023, 7, 31, true],
    [2023, 8, 31, true],
    [2023, 9, 31, false],
    [2023, 12, 31, true],
    [2023, 13, 1, false],
    [2023, 1, 0, false],
  ])('%i-%i-%i is a day: %s', (year, month, day, valid) => {
    expect(isCalendarDate(year, month, day)).toBe(valid);
  });
});

describe('national ids of more countries', () => {
  // Each number passes its country's check; where a number of that length could be anything (a Luhn digit passes one
  // time in ten), the label is what makes it an id.
  it.each([
    ['CA', 'My SIN is 046 454 286.', '046 454 286', 'ca-sin'],
    ['US', 'SIN: 046-454-286', '046-454-286', 'ca-sin'],
    ['CA', 'Social Insurance Number: 046 454 286 for payroll', '046 454 286', 'ca-sin'],
    ['CA', 'NAS 273 645 523', '273 645 523', 'ca-sin'],
    ['US', 'CPF 529.982.247-25', '529.982.247-25', 'br-cpf'],
    ['BR', 'segue o CPF: 111.444.777-35', '111.444.777-35', 'br-cpf'],
    ['US', '123.456.789-09', '123.456.789-09', 'br-cpf'],
    ['BR', 'meu CPF é 52998224725', '52998224725', 'br-cpf'],
    ['BR', 'CPF 529982247-25', '529982247-25', 'br-cpf'],
    ['US', 'Aadhaar 2341 2341 2346', '2341 2341 2346', 'in-aadhaar'],
    ['IN', 'my aadhar is 4987-6543-2102', '4987-6543-2102', 'in-aadhaar'],
    ['US', '5234 5678 9015', '5234 5678 9015', 'in-aadhaar'],
    ['IN', 'UID 738291046551', '738291046551', 'in-aadhaar'],
    ['US', 'TFN 123 456 782', '123 456 782', 'au-tfn'],
    ['AU', 'my tax file number is 876543210', '876543210', 'au-tfn'],
    ['AU', 'TFN: 459-821-51', '459-821-51', 'au-tfn'],
    ['AU', 'old TFN 45982151', '45982151', 'au-tfn'],
    ['US', '身份证号 11010519491231002X', '11010519491231002X', 'cn-resident-id'],
    ['US', 'ID 440304199003071213 on file', '440304199003071213', 'cn-resident-id'],
    ['US', '110105 19491231 002x', '110105 19491231 002x', 'cn-resident-id'],
    ['US', '310115198506123454', '310115198506123454', 'cn-resident-id'],
    ['JP', 'マイナンバーは 1234 5678 9018 です', '1234 5678 9018', 'jp-my-number'],
    ['US', 'My Number: 987654321093', '987654321093', 'jp-my-number'],
    ['JP', 'individual number 4012-3456-7890', '4012-3456-7890', 'jp-my-number'],
    ['US', '주민등록번호 850101-1234566', '850101-1234566', 'kr-rrn'],
    ['US', 'RRN 920315-2345674', '920315-2345674', 'kr-rrn'],
    ['KR', '031105-4123456', '031105-4123456', 'kr-rrn'],
    ['US', 'resident registration number 9005202123459', '9005202123459', 'kr-rrn'],
    // Issued since October 2020: no check digit, found by its label.
    ['US', 'RRN 210301-3987654', '210301-3987654', 'kr-rrn'],
    ['US', 'CURP GODE561231HDFABC01', 'GODE561231HDFABC01', 'mx-curp'],
    ['MX', 'mi CURP es BOXW310820HNERXN09.', 'BOXW310820HNERXN09', 'mx-curp'],
    ['US', 'BADD110313HCMLNS06', 'BADD110313HCMLNS06', 'mx-curp'],
    ['US', 'CURP: MAPR000229MJCRRNA3', 'MAPR000229MJCRRNA3', 'mx-curp'],
  ])('in a %s page finds %j: %j, by %s, as a national id only', (region, text, value, recognizer) => {
    const { kinds, findings } = detectPii(text, { regions: [region] });
    expect(kinds).toEqual(['national-id']);
    expect(findings.map((finding) => [finding.recognizer, text.slice(finding.start, finding.end)])).toEqual([
      [recognizer, value],
    ]);
  });

  it.each([
    // A check digit that fails.
    'CPF 529.982.247-26',
    'SIN 046 454 287',
    'TFN 123 456 783',
    'Aadhaar 2341 2341 2345',
    'ID 110105194912310021',
    'My Number 1234 5678 9012',
    '850101-1234567',
    'GODE561231HDFABC02',
    // Valid checks without the label their length needs.
    '52998224725',
    'ref 234123412346',
    'order 876543210 shipped',
    // Numbers of those lengths that are something else.
    'timestamp 20240115123045 and epoch 1700000000123',
    'snowflake 123456789012345678',
    'build 1234 5678 9012 passed in 4.18.2.1234',
    'price 1234.56 EUR, 999 999 999 units',
    'date 19491231, time 110105',
    'phone-like 000 000 000, all nines 999999999999',
  ])('reports no national id for %j', (text) => {
    expect(detectPii(text, { regions: ['US'] }).kinds).not.toContain('national-id');
  });

  it('keeps a Chinese resident id that also passes Luhn with a Visa prefix a national id, not a card number', () => {
    expect(isLuhnValid('440304199003071256')).toBe(true);
    expect(detectPii('440304199003071256', { regions: ['US'] }).kinds).toEqual(['national-id']);
    expect(detectPii('4111 1111 1111 1111', { regions: ['US'] }).kinds).toEqual(['card-number']);
  });

  it('keeps a labelled SIN a national id, not the phone number the digits also are', () => {
    expect(detectPii('046 454 286', { regions: ['US'] }).kinds).toEqual(['phone-number']);
    for (const region of ['US', 'CA']) {
      expect(detectPii('SIN 046 454 286', { regions: [region] }).kinds).toEqual(['national-id']);
    }
  });
});

describe('secrets said in a sentence', () => {
  it.each([
    ['the wifi password is correcthorsebattery', 'correcthorsebattery', 'password-phrase'],
    ['my password is Hunter2!xyz', 'Hunter2!xyz', 'password-phrase'],
    ['Password is: Summer2024', 'Summer2024', 'password-phrase'],
    ['the password for the router is p@ss-w0rd.', 'p@ss-w0rd', 'password-phrase'],
    ['The password was "CorrectHorse", I think', 'CorrectHorse', 'password-phrase'],
    ["the password is 'sunshine'", 'sunshine', 'password-phrase'],
    ['PASSWORD IS 12345678', '12345678', 'password-phrase'],
    ['my password for work is hunter!!x and it expires', 'hunter!!x', 'password-phrase'],
    ['the password is now hunter2', 'hunter2', 'password-phrase'],
    ['the door password is ilovemydogbuddy\nthanks', 'ilovemydogbuddy', 'password-phrase'],
    ['my PIN is 4821', '4821', 'pin'],
    ['PIN: 4821', '4821', 'pin'],
    ['PIN code is 004821', '004821', 'pin'],
    ['PIN-Code 4821', '4821', 'pin'],
    ['card pin 9930.', '9930', 'pin'],
    ['passcode: 998877', '998877', 'pin'],
    ['PIN number = 12345678', '12345678', 'pin'],
  ])('finds the secret in %j: %j (%s)', (text, value, recognizer) => {
    const { kinds, findings } = detectPii(text, { regions: ['US'] });
    expect(kinds).toEqual(['secret']);
    expect(findings.map((finding) => [finding.recognizer, text.slice(finding.start, finding.end)])).toEqual([
      [recognizer, value],
    ]);
  });

  it.each([
    'the password is wrong',
    'my password is too short',
    'the password is reset daily',
    'the password is case-sensitive',
    'Your password is unrecoverable.',
    'the password is automatically generated',
    'the password is SHA256-hashed',
    'the password is SHA-256 hashed and base64 encoded',
    'the password is base64 encoded',
    'the password is 8 characters long, or 8chars',
    'the password is at least 12 characters',
    'the password is stored with bcrypt',
    'password is required',
    'Password is incorrect!',
    "the password is 'incorrect'",
    'the password is the same as my email',
    'my password was compromised',
    'the password was leaked yesterday',
    'password is 2FA-protected',
    'Passwords are hunter2 and more',
    'the passwordless login is fine',
    'my PIN must be 4 digits, the PIN is 4 to 6 digits long',
    'A spin of 4821 rpm, spin is 4821',
    'in 2024 the PIN code changed',
    'if (pin.length === 4) return;',
    'pin 13 of the header; PIN 2.5',
    'PIN 12:30 and PIN 2024-01-15',
  ])('reports no secret for %j', (text) => {
    expect(detectPii(text, { regions: ['US'] }).kinds).toEqual([]);
  });
});
