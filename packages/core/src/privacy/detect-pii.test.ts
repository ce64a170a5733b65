import { describe, expect, it } from 'vitest';
import { detectPii, isIbanValid, isLuhnValid } from './detect-pii.js';

describe('detectPii', () => {
  it.each([
    ['Write to ada.lovelace@example.org today', 'email'],
    ['Call me on +1 415 555 0100 tonight', 'phone-number'],
    ['My number is (415) 555-0100.', 'phone-number'],
    ['Card 4111 1111 1111 1111 exp 12/29', 'card-number'],
    ['Pay to DE89 3704 0044 0532 0130 00 please', 'iban'],
    ['Pay to GB82WEST12345698765432', 'iban'],
    ['SSN 123-45-6789', 'national-id'],
    ['use key sk-proj-abcdefghijklmnopqrstuvwxyz123456', 'secret'],
    ['AWS AKIAIOSFODNN7EXAMPLE', 'secret'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE', 'secret'],
    ['password: hunter2hunter2', 'secret'],
  ])('finds %j as %s', (text, kind) => {
    expect(detectPii(text).kinds).toContain(kind);
  });

  it.each([
    'Summarise the history of railway signalling in 3 bullet points.',
    'The order 4111 1111 1111 1112 failed the checksum',
    'IBAN-like DE00 0000 0000 0000 0000 00 with a bad check digit',
    'Version 10.000.000 shipped on 2024-01-15 at 12:30',
    'The SSN format 000-12-3456 is never issued',
  ])('reports nothing for %j', (text) => {
    expect(detectPii(text).kinds).toEqual([]);
  });

  it('reports each kind once, in a stable order', () => {
    const text = 'bob@example.com, alice@example.com, 4111-1111-1111-1111';
    expect(detectPii(text).kinds).toEqual(['email', 'card-number']);
  });

  it('checks Luhn and mod-97 checksums', () => {
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isIbanValid('DE89370400440532013000')).toBe(true);
    expect(isIbanValid('DE88370400440532013000')).toBe(false);
  });
});
