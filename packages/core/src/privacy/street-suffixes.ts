// House number after the street: "Hauptstraße 12", "Kerkstraat 5": the street types German and Dutch write as the
// end of the street's name. Shared by the street-address recognizer and the token shapes (see pii-scan.ts).
export const streetSuffixes = [
  'straße',
  'strasse',
  'str.',
  'weg',
  'gasse',
  'platz',
  'allee',
  'damm',
  'straat',
  'laan',
  'gracht',
  'plein',
  'kade',
  'steeg',
  'dijk',
  'ufer',
  'chaussee',
];

/** A suffix's last two characters, lower case, as one number. */
function tailOf(code1: number, code2: number): number {
  return lowerCode(code1) * 65_536 + lowerCode(code2);
}

function lowerCode(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

// Suffixes by their last two letters: a word whose tail is in none of them is not a street, found without comparing
// it with every suffix. Most words before a number in prose ("at 10", "page 7") stop here.
const suffixesByTail = new Map<number, string[]>();
for (const suffix of streetSuffixes) {
  const tail = tailOf(suffix.charCodeAt(suffix.length - 2), suffix.charCodeAt(suffix.length - 1));
  suffixesByTail.set(tail, [...(suffixesByTail.get(tail) ?? []), suffix]);
}

/**
 * Whether the word ending at `end` (or before a comma there) may end with a street suffix: its last two characters
 * (ASCII case folded) end one, and it is at least three characters long, as every suffix is ("at 10" is not
 * "…straat 10"). Table reads only, small enough for the token walk to inline.
 */
export function endsLikeStreetSuffix(text: string, end: number): boolean {
  if (text.charCodeAt(end - 1) === 44) end -= 1; // "Hauptstraße, 12"
  const first = text.charCodeAt(end - 2);
  const second = text.charCodeAt(end - 1);
  const third = text.charCodeAt(end - 3);
  return (
    first < 256 && second < 256 && tailPairs[(first << 8) | second] === 1 && (third > 191 || wordChars[third] === 1)
  );
}

// What the street-address recognizer reads as a word: letters, letters beyond 191, ".", "'" and "-".
const wordChars = new Uint8Array(192);
for (let code = 0; code < 192; code += 1) {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  wordChars[code] = letter || code === 46 || code === 39 || code === 45 ? 1 : 0;
}

// Every (first, second) character pair, both below 256, that folds to a suffix's tail.
const tailPairs = new Uint8Array(65_536);
for (const suffix of streetSuffixes) {
  for (const first of casesOf(suffix.charCodeAt(suffix.length - 2))) {
    for (const second of casesOf(suffix.charCodeAt(suffix.length - 1))) tailPairs[(first << 8) | second] = 1;
  }
}

function casesOf(code: number): number[] {
  return code >= 97 && code <= 122 ? [code, code - 32] : [code];
}

/** The suffixes the word ending at `end` of `text` may end with (by its last two characters, ASCII case folded). */
export function streetSuffixesEndingLike(text: string, end: number): readonly string[] | undefined {
  return suffixesByTail.get(tailOf(text.charCodeAt(end - 2), text.charCodeAt(end - 1)));
}
