import { describe, expect, it } from 'vitest';
import type { PiiKind } from './detect-pii.js';
import { createPiiDetector, detectPii, piiKinds, scanPii } from './detect-pii.js';
import { streetAddressRecognizer } from './recognizers/location-recognizers.js';

const samples: Record<PiiKind, string[]> = {
  email: ['ada.lovelace@example.org', 'x+y@mail.co.uk', 'ada at example dot org', 'ada(at)example.org'],
  // '+1.(41) 555 010' has nine digits only with its country code, which sits four characters before the first digit
  // pair: it fails if the number scan starts any later.
  'phone-number': [
    '+1 415 555 0100',
    '(415) 555-0100',
    '+44 20 7946 0958',
    '+4915112345678',
    'tel. 07911 123456',
    '0033 1 23 45 67 89',
  ],
  'card-number': ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111'],
  iban: ['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432'],
  'national-id': [
    '123-45-6789',
    'SSN 123456789',
    'AB 12 34 56 C',
    '12345678Z',
    'RSSMRA85T10A562S',
    'SIN 046 454 286',
    'CPF 529.982.247-25',
    'Aadhaar 2341 2341 2346',
    'TFN 123 456 782',
    '11010519491231002X',
    'My Number 1234 5678 9018',
    '850101-1234566',
    'GODE561231HDFABC01',
  ],
  passport: ['passport number 533380006'],
  'bank-account': ['routing number 021000021', 'account number 000123456789'],
  'date-of-birth': ['born on 12/03/1985', 'DOB: 1985-03-12', 'geboren am 12. März 1985'],
  'street-address': [
    '221B Baker Street',
    '10  Downing Street',
    '5 bis, avenue Foch',
    'Hauptstraße 5',
    '12 rue de la Paix',
    'Via Roma 10',
    'Springfield, IL 62704',
  ],
  'person-name': ['My name is Jane Doe.', 'Je m’appelle Camille Dubois.'],
  'ip-address': ['my IP is 203.0.113.45', '2001:db8:85a3::8a2e:370:7334'],
  secret: [
    'sk-proj-abcdefghijklmnopqrstuvwxyz123456',
    'AKIAIOSFODNN7EXAMPLE',
    '-----BEGIN RSA PRIVATE KEY-----',
    'password: hunter2hunter2',
    'API_KEY=abcdefgh12345678',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'github_pat_abcdefghijklmnopqrstuvwxyz0123456789',
    'xoxb-1234567890-abcdef',
    'AIzaSyA1234567890abcdefghijklmnopqrstuv',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop',
    'postgres://app:s3cret@db.internal:5432/app',
    'sk_live_abcdefghijklmnop1234',
    'npm_abcdefghijklmnopqrstuvwxyz0123456789',
    'hf_abcdefghijklmnopqrstuvwxyz0123456',
    'DefaultEndpointsProtocol=https;AccountKey=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH==',
    'https://x.blob.core.windows.net/c?sv=2022&sig=abcdefghijklmnopqrstuvwxyz012345',
    'abc8Q~abcdefghijklmnopqrstuvwxyz01234',
    '"client_secret": "Zx9Kq2Lm8Np4Rt6Vw3Yb"',
    'CONTRASEÑA: hunter22',
    'my password is Hunter2!xyz',
    'the wifi password is correcthorsebattery.',
    'my PIN is 4821',
  ],
};

const prose =
  'The railway signalling system evolved from hand signals and flags to mechanical semaphores, then to electric ' +
  'track circuits and interlocking towers; answer in 3 short paragraphs with one example each. ';
const longProse = prose.repeat(Math.ceil(4096 / prose.length));

describe('PII pre-filter', () => {
  it.each(piiKinds.flatMap((kind) => samples[kind].map((sample) => [kind, sample] as const)))(
    'still finds %s (%j) at the start, middle and end of 4 KB of prose',
    (kind, sample) => {
      const middle = Math.floor(longProse.length / 2);
      for (const text of [
        `${sample} ${longProse}`,
        `${longProse.slice(0, middle)} ${sample} ${longProse.slice(middle)}`,
        `${longProse} ${sample}`,
      ]) {
        expect(detectPii(text).kinds).toContain(kind);
      }
    },
  );

  it('reports nothing for prose with single digits, hyphens and common letters', () => {
    expect(detectPii(`${longProse} well-known look-ahead - k - e y J 7 - 3`).kinds).toEqual([]);
  });

  it('answers exactly like the unfiltered scan on a thousand generated texts', () => {
    // Fragments that sit on the pre-filter's edges: digit pairs split by separators, markers without their tails,
    // and every sample; a seeded generator keeps the test deterministic.
    const fragments = [
      ...Object.values(samples).flat(),
      'ok',
      'the',
      ' ',
      '-',
      '.',
      '+',
      '(',
      ')',
      '1',
      '12',
      '1 2',
      '1-2',
      '1.2',
      '2024',
      '10 000 000',
      'k-',
      'sk-',
      'eyJ',
      '_',
      ':',
      '=',
      '@',
      'DE',
      'AKIA',
      'xox',
      'AIza',
      '-----BEGIN',
      'password',
      'secret',
      '\n',
      // Pieces the pre-filters anchor on, alone and in the phrases they stand for.
      ' at ',
      ' AT ',
      ' Dot ',
      '(at)',
      'example',
      '.com',
      'Nom: ',
      'name:',
      'this is ',
      'call me ',
      'I’m ',
      'c’est ',
      'signed ',
      'Jane',
      ' Doe',
      'glpat-',
      'xoxb-',
      'xapp-',
      'GOCSPX-',
      'ya29.',
      'SG.',
      'hooks.slack.com/',
      'AccountKey=',
      'Q~',
      '~',
      'SW1A 1AA',
      'Kerkstraat 5',
      'Via Roma 10',
      'IPv6 2a00:1450::1',
      '2a00:',
      '3',
      '"client_secret": "',
      "'Token' = ",
      'CONTRASEÑA: ',
      'ACCESS_KEY_ID=',
      'Zx9Kq2Lm8Np4Rt6V',
      'a:a:',
    ];
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let withFindings = 0;
    for (let round = 0; round < 2000; round += 1) {
      let text = '';
      const pieces = 1 + Math.floor(random() * 12);
      for (let piece = 0; piece < pieces; piece += 1) {
        text += fragments[Math.floor(random() * fragments.length)];
        if (random() < 0.3) text += prose.slice(0, Math.floor(random() * 40));
      }
      const filtered = scanPii(text, true).kinds;
      expect(filtered, text).toEqual(scanPii(text, false).kinds);
      if (filtered.length > 0) withFindings += 1;
    }
    // Guards the generator itself: most texts must hold something for the comparison to mean anything.
    expect(withFindings).toBeGreaterThan(700);
  }, 120_000);
});

describe('PII pre-filter work', () => {
  // A work-count guard, not a timing: the token shapes keep the numbers of prose away from the street-address
  // recognizer, which most numbers of prose would otherwise reach (a space before, a word after).
  it('calls the street-address recognizer for no number of prose without a street, and for the house numbers of one', () => {
    const scanNumber = streetAddressRecognizer.scanNumber!;
    let calls = 0;
    streetAddressRecognizer.scanNumber = (scan, token) => {
      calls += 1;
      scanNumber(scan, token);
    };
    try {
      const detect = createPiiDetector({ regions: ['US'] });
      const bench =
        'The routing decision keeps the laptop cool while the remote model answers the longer questions about rail ' +
        'yards, timetables and freight (version 2.4, due at 10:30 on platform 7). ';
      expect(detect(bench.repeat(20)).kinds).toEqual([]);
      expect(calls).toBe(0);
      expect(detect('Ship it to Hauptstraße 5, or to Kerkstraat 12-14.').kinds).toEqual(['street-address']);
      expect(calls).toBe(2);
      calls = 0;
      // A street word anywhere makes every number after a space worth reading.
      expect(detect('Via Roma 10, at 10:30 on platform 7.').kinds).toEqual(['street-address']);
      expect(calls).toBe(3);
    } finally {
      streetAddressRecognizer.scanNumber = scanNumber;
    }
  });
});

describe('PII pre-filter edges', () => {
  // Each of these was hidden by an earlier pre-filter that looked for fewer words than the phrases it guarded.
  it.each([
    ['person-name', 'Nom: Camille Dubois'],
    ['person-name', 'Prénom: Camille'],
    ['person-name', 'Apellidos: García López'],
    ['person-name', 'mon nom est Camille Dubois.'],
    ['person-name', 'this is Jane Doe speaking'],
    ['person-name', 'call me Jane.'],
    ['person-name', 'i am Jane Doe, from Leeds'],
    ['person-name', 'signed Jane Doe'],
    ['person-name', 'Name:Jane Doe'],
    ['email', 'Contact ada at example Dot com'],
  ] as const)('finds %s in %j, with and without pre-filters', (kind, text) => {
    expect(scanPii(text, true).kinds).toEqual([kind]);
    expect(scanPii(text, false).kinds).toEqual([kind]);
  });

  it('reads a single word after "this is" as a name only when the sentence says someone is speaking', () => {
    expect(detectPii('This is the Spirit in my heart, this is Brahman.').kinds).toEqual([]);
    expect(detectPii('Hi, this is Jane from accounting.').kinds).toEqual(['person-name']);
    expect(detectPii('Hello, this is Jane Doe.').kinds).toEqual(['person-name']);
  });

  it('finds a marker after more than the sparse-search limit of its anchor character', () => {
    const dashes = 'a-b '.repeat(40);
    const dots = 'end. '.repeat(40);
    const capitals = 'A '.repeat(40);
    const slashes = 'a/b '.repeat(40);
    const snakes = 'a_b x=y '.repeat(40);
    expect(detectPii(`${snakes} sk_live_abcdefghijklmnop1234`).kinds).toEqual(['secret']);
    expect(scanPii(snakes, true)).toEqual(scanPii(snakes, false));
    expect(detectPii(`${dashes} sk-proj-abcdefghijklmnopqrstuvwxyz123456`).kinds).toEqual(['secret']);
    expect(detectPii(`${dots} key ya29.a0AfH6SMBx1234567890abcdefghij`).kinds).toEqual(['secret']);
    expect(detectPii(`${capitals} AKIAIOSFODNN7EXAMPLE`).kinds).toEqual(['secret']);
    expect(
      detectPii(`${slashes} https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`).kinds,
    ).toEqual(['secret']);
    for (const text of [dashes, dots, capitals, slashes]) expect(scanPii(text, true)).toEqual(scanPii(text, false));
  });

  it('finds a pattern split across the end of a long run of prose and numbers', () => {
    const filler = `${longProse} 10:30 v2.4; `;
    for (const sample of ['4111 1111 1111 1111', '+44 20 7946 0958', '2001:db8:85a3::8a2e:370:7334', 'SW1A 1AA']) {
      const text = `${filler}${sample}`;
      expect(scanPii(text, true)).toEqual(scanPii(text, false));
      expect(scanPii(text, true).kinds.length).toBeGreaterThan(0);
    }
  });
});

describe('PII scan on long runs without spaces', () => {
  // A hash, a base64 blob or CSV: every number token sits inside one long run. The passport and IPv6 recognizers
  // stop reading once the run is too long to be theirs; what they report must not change.
  const hex = '3f2a9c1e7b4d08a6e5c2f19b3d7a0c4e8f61b2d9'.repeat(100);
  const csv = '1,22,333,4444,55555,6,77,'.repeat(160);

  it.each([
    ['hex', hex],
    ['csv', csv],
  ])('finds nothing in a %s run, with and without pre-filters', (_, text) => {
    expect(scanPii(text, true)).toEqual({ kinds: [], findings: [] });
    expect(scanPii(text, false)).toEqual({ kinds: [], findings: [] });
  });

  it('still finds a passport number or an IPv6 address right after such a run', () => {
    expect(detectPii(`${hex} passport number 533380006`).kinds).toEqual(['passport']);
    expect(detectPii(`${csv} my IPv6 2001:db8:85a3::8a2e:370:7334`).kinds).toContain('ip-address');
  });
});

describe('phone numbers repeated in one prompt', () => {
  // libphonenumber's answer for a written number is kept for the rest of the scan: every occurrence must still be
  // reported where it is, and a region's answer must not leak into another region's.
  it('reports every occurrence of a repeated number at its own offsets', () => {
    const text = 'Call (415) 555-0100 today; if busy, (415) 555-0100 again, or (415) 555-0100 tomorrow.';
    const phones = detectPii(text, { regions: ['US'] }).findings.filter((finding) => finding.kind === 'phone-number');
    expect(phones.map((finding) => text.slice(finding.start, finding.end))).toEqual([
      '(415) 555-0100',
      '(415) 555-0100',
      '(415) 555-0100',
    ]);
    expect(scanPii(text, true, { regions: ['US'] })).toEqual(scanPii(text, false, { regions: ['US'] }));
  });

  it("reports a repeated national number in the caller's region each time", () => {
    const text = 'Ruf an: 089 1234567, nochmals 089 1234567.';
    expect(detectPii(text, { regions: ['DE'] }).findings.filter((f) => f.kind === 'phone-number')).toHaveLength(2);
    expect(detectPii(text, { regions: ['DE'] })).toEqual(scanPii(text, false, { regions: ['DE'] }));
  });
});
