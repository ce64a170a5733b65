import { describe, expect, it } from 'vitest';
import type { NumberToken } from './pii-scan.js';
import { forEachNumberToken, shapeOf, tokenShape } from './pii-scan.js';

/** The number walk as first written (a charCodeAt loop over every character): the reference the fast one must match. */
function referenceTokens(text: string): NumberToken[] {
  const isDigit = (code: number) => code >= 48 && code <= 57;
  const isSeparator = (code: number) =>
    code === 32 || code === 160 || code === 40 || code === 41 || code === 45 || code === 46 || code === 47;
  const tokens: NumberToken[] = [];
  for (let index = 0; index < text.length; index += 1) {
    if (!isDigit(text.charCodeAt(index))) continue;
    let digitCount = 1;
    let end = index + 1;
    let cursor = end;
    while (cursor < text.length) {
      const code = text.charCodeAt(cursor);
      if (isDigit(code)) {
        digitCount += 1;
        cursor += 1;
        end = cursor;
      } else if (isSeparator(code)) {
        if (isDigit(text.charCodeAt(cursor + 1))) cursor += 1;
        else if (isSeparator(text.charCodeAt(cursor + 1)) && isDigit(text.charCodeAt(cursor + 2))) cursor += 2;
        else break;
      } else break;
    }
    tokens.push({ start: index, end, digitCount });
    index = end;
  }
  return tokens;
}

function tokensOf(text: string): NumberToken[] {
  const tokens: NumberToken[] = [];
  forEachNumberToken(text, (token) => tokens.push({ ...token }));
  return tokens;
}

describe('forEachNumberToken', () => {
  it.each([
    '',
    'no digits at all',
    '7',
    '12 34',
    '1  2',
    '1   2',
    '(415) 555-0100',
    '+33 1 23 45 67 89.',
    'v2.4, 10:30, 1 000 000 and 3/4',
    '١٢٣ arabic digits are not ASCII 42',
    'ends with a digit 9',
  ])('finds the same tokens as a character-by-character walk in %j', (text) => {
    expect(tokensOf(text)).toEqual(referenceTokens(text));
  });

  it('finds the same tokens on generated texts of digits, separators and letters', () => {
    const alphabet = '0123456789 \u00a0()-./:+ab';
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let round = 0; round < 2000; round += 1) {
      let text = '';
      const length = Math.floor(random() * 40);
      for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(tokensOf(text), text).toEqual(referenceTokens(text));
    }
  });

  it('starts over on every text, also after a visit that threw', () => {
    expect(() =>
      forEachNumberToken('1 and 2', () => {
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(tokensOf('3 and 4')).toEqual([
      { start: 0, end: 1, digitCount: 1 },
      { start: 6, end: 7, digitCount: 1 },
    ]);
  });
});

describe('shapeOf', () => {
  function shapeAt(text: string, digits: string): number {
    const start = text.indexOf(digits);
    let found = 0;
    forEachNumberToken(text, (token) => {
      if (token.start === start) found = shapeOf(text, token);
    });
    return found;
  }

  it.each([
    [
      'DE89 3704',
      '89',
      tokenShape.letterBefore |
        tokenShape.capitalNear |
        tokenShape.alphanumericAround |
        tokenShape.fourDigits |
        tokenShape.sixWide,
    ],
    ['AB 12 34 56 C', '12', tokenShape.capitalNear | tokenShape.fourDigits | tokenShape.sixWide],
    // A street's house number has no separator but dashes.
    ['12-14 Baker Street', '12', tokenShape.wordAfter | tokenShape.fourDigits],
    ['version 2.4, due', '2', 0],
    // "at" ends like "…straat" but is too short to be one.
    ['at 10:30', '10', tokenShape.spaceBefore | tokenShape.colonOrHexAfter],
    ['Sackgasse 3', '3', tokenShape.spaceBefore | tokenShape.streetSuffixBefore],
    ['on platform 7.', '7', tokenShape.spaceBefore],
    ['Hauptstraße, 12.', '12', tokenShape.spaceBefore | tokenShape.streetSuffixBefore],
    ['Kerkstraat 5.', '5', tokenShape.spaceBefore | tokenShape.streetSuffixBefore],
    ['12 Baker Street', '12', tokenShape.wordAfter],
    ['12 rue de la Paix', '12', tokenShape.wordAfter],
    ['5 bis, avenue Foch', '5', tokenShape.wordAfter],
    ['10  Downing Street', '10', tokenShape.wordAfter],
    // A lower-case word that no French street type starts with: no street can follow.
    ['at 10:30 on platform 7', '30', 0],
    ['221B Baker', '221', tokenShape.wordAfter | tokenShape.colonOrHexAfter | tokenShape.alphanumericAround],
    [
      'ID X1234567L',
      '1234567',
      tokenShape.letterBefore |
        tokenShape.capitalNear |
        tokenShape.alphanumericAround |
        tokenShape.wordAfter |
        tokenShape.fourDigits |
        tokenShape.sixWide,
    ],
    ['(7)', '7', 0],
  ])('reads the characters around the token in %j', (text, digits, shape) => {
    expect(shapeAt(text, digits)).toBe(shape);
  });
});
