import type { PiiScan } from '../pii-scan.js';
import { contextBoost, mayStartStreetAt, tokenShape } from '../pii-scan.js';
import type { PiiRecognizer } from '../recognizer.js';
import { streetSuffixes, streetSuffixesEndingLike } from '../street-suffixes.js';

// House number first: "221B Baker Street", "1600 Pennsylvania Avenue NW", "12 rue de la Paix", "5, avenue Foch".
const englishStreet =
  /[A-Za-z]?,?\s+(?:[NSEW]\.?\s+)?(?:[A-ZÀ-ÖØ-ÞĀ-ſ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’.-]*\s+)+?(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|Crescent|Square|Sq|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Row|Gardens|Mews|Hill|Grove|Walk|Broadway)\b\.?/y;
const romanceStreet =
  /[A-Za-z]?(?:\s*bis|\s*ter)?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|all[ée]e|impasse|place|quai|cours|route|passage|square)\s+[A-Za-zÀ-ÖØ-öø-ÿ]/iy;
// House number after the street: "Via Roma 10", "Calle Mayor 5", "Rua Augusta 27" (suffixes such as "…straße" are in
// street-suffixes.ts).
const streetWords = new Set([
  'via',
  'viale',
  'piazza',
  'corso',
  'vicolo',
  'calle',
  'avenida',
  'avda.',
  'plaza',
  'paseo',
  'carrer',
  'rua',
  'ulica',
  'ul.',
  'travessa',
  'largo',
  'camino',
  'carretera',
]);

const hasStreetWordKey = Symbol('street word');
const wordCodeClass = String.raw`A-Za-z\u00c0-\uffff.'-`;
// A street word as a whole word (see isWordCode), its first letter a capital, the rest in any case.
const streetWordPattern = new RegExp(
  `(?<![${wordCodeClass}])(?:${[...streetWords]
    .map(
      (word) =>
        word[0]!.toUpperCase() +
        [...word.slice(1)]
          .map((character) => (character === '.' ? String.raw`\.` : `[${character}${character.toUpperCase()}]`))
          .join(''),
    )
    .join('|')})(?![${wordCodeClass}])`,
);

function hasStreetWord(text: string): boolean {
  return streetWordPattern.test(text);
}

function isLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 191;
}

function isUpperCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 192 && code <= 222);
}

function isWordCode(code: number): boolean {
  return isLetterCode(code) || code === 46 /* . */ || code === 39 /* ' */ || code === 45 /* - */;
}

/** Whether `text[begin, end)` ends with `suffix` (lower case, ASCII letters folded), allocating nothing. */
function endsWithLowerCase(text: string, begin: number, end: number, suffix: string): boolean {
  // "Straße 5" alone is a street too, so the suffix may be the whole word.
  if (end - begin < suffix.length) return false;
  for (let index = 1; index <= suffix.length; index += 1) {
    let code = text.charCodeAt(end - index);
    if (code >= 65 && code <= 90) code += 32;
    if (code !== suffix.charCodeAt(suffix.length - index)) return false;
  }
  return true;
}

function numberAfterStreet(scan: PiiScan, start: number): boolean {
  const text = scan.text;
  const before = text.charCodeAt(start - 1);
  if (start < 3 || (before !== 32 && before !== 160)) return false;
  let end = start - 1;
  if (text.charCodeAt(end - 1) === 44) end -= 1;
  if (!isWordCode(text.charCodeAt(end - 1))) return false;
  // Two cheap questions first, so prose ("at 10", "page 7") reads no word: does the nearest word end like a street
  // suffix, and does the text hold a street word at all (one regex per text; most prose has numbers, few a "Via")?
  const tailSuffixes = streetSuffixesEndingLike(text, end);
  if (scan.prefilter && tailSuffixes === undefined && !scan.once(hasStreetWordKey, hasStreetWord)) return false;
  // The nearest word may end in a street type ("Hauptstraße 12", "Kerkstraat 5")…
  let begin = end;
  while (begin > 0 && isWordCode(text.charCodeAt(begin - 1))) begin -= 1;
  for (const suffix of scan.prefilter ? (tailSuffixes ?? []) : streetSuffixes) {
    if (endsWithLowerCase(text, begin, end, suffix)) return true;
  }
  // …or one of the four words before the number is a street word written with a capital ("Via Roma 10").
  if (scan.prefilter && !scan.once(hasStreetWordKey, hasStreetWord)) return false;
  for (let words = 0; words < 4 && begin > 0; words += 1) {
    if (isUpperCode(text.charCodeAt(begin)) && streetWords.has(text.slice(begin, end).toLowerCase())) return true;
    end = begin;
    while (end > 0 && text.charCodeAt(end - 1) === 32) end -= 1;
    if (end === begin) return false;
    begin = end;
    while (begin > 0 && isWordCode(text.charCodeAt(begin - 1))) begin -= 1;
    if (begin === end) return false;
  }
  return isUpperCode(text.charCodeAt(begin)) && streetWords.has(text.slice(begin, end).toLowerCase());
}

const streetPatterns = [englishStreet, romanceStreet];

/** Street addresses: a house number and a street type, in English, French, German, Dutch, Italian, Spanish and Portuguese layouts. */
export const streetAddressRecognizer: PiiRecognizer = {
  name: 'street-address',
  kind: 'street-address',
  digits: [1, 5],
  // A number after a word is worth reading when the word ends like a street suffix, or when the text holds a street
  // word ("Via", "Calle" …) anywhere (then every number is); prose ("at 10", "platform 7") mostly has neither.
  shapes: tokenShape.wordAfter | tokenShape.streetSuffixBefore,
  shapesIn: (scan) =>
    scan.once(hasStreetWordKey, hasStreetWord)
      ? tokenShape.wordAfter | tokenShape.streetSuffixBefore | tokenShape.spaceBefore
      : tokenShape.wordAfter | tokenShape.streetSuffixBefore,
  scanNumber(scan, token) {
    const text = scan.text;
    // A house number: digits, or a range such as "12-14"; never "2.4" or "10 000".
    for (let index = token.start; index < token.end; index += 1) {
      const code = text.charCodeAt(index);
      if ((code < 48 || code > 57) && code !== 45) return;
    }
    const next = text.charCodeAt(token.end);
    // After the number: a space, a comma, or a letter suffix ("221B"); and after a space, a word that can start a
    // street: a capital (English layouts, "12 Baker Street") or a French type ("12 rue …", "5 bis, avenue …").
    if ((next === 32 && (!scan.prefilter || mayStartStreetAt(text, token.end))) || next === 44 || isLetterCode(next)) {
      for (const pattern of streetPatterns) {
        pattern.lastIndex = token.end;
        const match = pattern.exec(text);
        if (match !== null) {
          scan.add('street-address', 'street-address', token.start, token.end + match[0].length, 0.75);
          return;
        }
      }
    }
    if (numberAfterStreet(scan, token.start)) {
      scan.add('street-address', 'street-address', Math.max(0, token.start - 24), token.end, 0.75);
    }
  },
};

const usStates = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR'.split(
    ' ',
  ),
);
const addressContext =
  /address|adresse|direcci[óo]n|indirizzo|adres\b|live|living|wohne|habite|vivo|abito|woon|ship|deliver|send|mail|post|located|street|stra(?:ß|ss)e|\brue\b|\bvia\b|calle|\bapt\b|suite/i;
const cityAfter = /\s+[A-ZÀ-ÖØ-ÞĀ-ſ][a-zß-öø-ÿĀ-ſ]+(?:[ -][A-ZÀ-ÖØ-ÞĀ-ſ]?[a-zß-öø-ÿĀ-ſ]+)?/y;
const ukPostcode = /(?<![A-Za-z0-9])[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])/y;
const dutchPostcodeTail = / ?[A-Z]{2}\s+[A-ZÀ-ÖØ-Þ]/y;

/**
 * Postal codes in an address: US ZIP codes after a state (`CA 94105`), UK postcodes (`SW1A 1AA`), Dutch ones
 * (`1012 AB Amsterdam`), and five-digit codes before a city (`10115 Berlin`, `75001 Paris`), the last ones surer next
 * to an address word or after a comma.
 */
export const postalCodeRecognizer: PiiRecognizer = {
  name: 'postal-code',
  kind: 'street-address',
  digits: [1, 9],
  shapes: tokenShape.fourDigits | tokenShape.letterBefore,
  scanNumber(scan, token) {
    const text = scan.text;
    const { start, end, digitCount } = token;
    if (digitCount === 5 || digitCount === 9) {
      const written = text.slice(start, end);
      if (!/^\d{5}(?:-\d{4})?$/.test(written)) return;
      const state = text.slice(Math.max(0, start - 3), start - 1);
      if (text[start - 1] === ' ' && usStates.has(state) && !/[A-Za-z]/.test(text[start - 4] ?? ' ')) {
        scan.add('street-address', 'postal-code', start - 3, end, 0.75);
        return;
      }
      if (digitCount !== 5) return;
      cityAfter.lastIndex = end;
      if (!cityAfter.test(text)) return;
      const afterComma =
        /[,\n]\s*$/.test(text.slice(Math.max(0, start - 3), start)) ||
        /(?:^|\s)[A-Z]-$/.test(text.slice(Math.max(0, start - 3), start));
      const context = afterComma || scan.hasContextBefore(start, addressContext, 60) ? contextBoost : 0;
      scan.add('street-address', 'postal-code', start, cityAfter.lastIndex, 0.45 + context);
      return;
    }
    if (digitCount === 4) {
      dutchPostcodeTail.lastIndex = end;
      if (/^\d{4}$/.test(text.slice(start, end)) && dutchPostcodeTail.test(text)) {
        scan.add('street-address', 'postal-code', start, dutchPostcodeTail.lastIndex, 0.7);
        return;
      }
    }
    // A UK postcode's letters end right before its first digit.
    const before = text.charCodeAt(start - 1);
    if (digitCount <= 2 && (!scan.prefilter || (before >= 65 && before <= 90))) {
      for (const back of [1, 2]) {
        if (start < back) continue;
        ukPostcode.lastIndex = start - back;
        const match = ukPostcode.exec(text);
        if (match !== null) {
          scan.add('street-address', 'postal-code', match.index, match.index + match[0].length, 0.7);
          return;
        }
      }
    }
  },
};
