import { isAsciiAlphanumericCode, isAsciiLetterCode } from '../char-codes.js';
import type { PiiRecognizer } from '../recognizer.js';

// Secrets said in a sentence rather than assigned in code or config ("my PIN is 4821", "the wifi password is
// correcthorsebattery"); secret-recognizers.ts reads assignments (`password: …`, `pwd=…`).

const pinWords = new Set(['pin', 'pincode', 'passcode']);
// Words that may sit between the label and the digits: "PIN code is 4821", "PIN number: 4821", "PIN-Nummer lautet".
const pinFillers = new Set(['is', 'was', 'es', 'est', 'ist', 'lautet', 'code', 'number', 'no', 'nr', 'num', 'nummer']);

/** Space, no-break space, tab, `:`, `=`, `#`, `-`, `.`, quotes: what a label and its value are written apart with. */
function isLabelGapCode(code: number): boolean {
  return (
    code === 32 ||
    code === 160 ||
    code === 9 ||
    code === 58 ||
    code === 61 ||
    code === 35 ||
    code === 45 ||
    code === 46 ||
    code === 34 ||
    code === 39
  );
}

/**
 * PINs and passcodes: four to eight plain digits right after "PIN" or "passcode", with at most two words such as
 * "code", "number" or "is" between (`my PIN is 4821`, `PIN: 4821`, `PIN-Code 4821`). Digits without that label are
 * years, counts and prices.
 */
export const pinRecognizer: PiiRecognizer = {
  name: 'pin',
  kind: 'secret',
  digits: [4, 8],
  scanNumber(scan, token) {
    const text = scan.text;
    // Plain digits only: not 10:30, 2024-01-15 or 3.1415; and not glued to a letter or digit after them.
    if (token.end - token.start !== token.digitCount || isAsciiLetterCode(text.charCodeAt(token.end))) return;
    let end = token.start;
    for (let words = 0; words < 3; words += 1) {
      const gapEnd = end;
      while (end > 0 && gapEnd - end < 4 && isLabelGapCode(text.charCodeAt(end - 1))) end -= 1;
      if (end === gapEnd) return;
      let start = end;
      while (start > 0 && end - start <= 8 && isAsciiLetterCode(text.charCodeAt(start - 1))) start -= 1;
      if (start === end || end - start > 8) return;
      const word = text.slice(start, end).toLowerCase();
      if (pinWords.has(word)) {
        scan.add('secret', 'pin', token.start, token.end, 0.8);
        return;
      }
      if (!pinFillers.has(word)) return;
      end = start;
    }
  },
};

// Each hit of the pre-filter is read on from "password", as "password [for the router] is|was [:] [now] value".
const passwordAnchor = /assword|ASSWORD/g;
const passwordPhrase =
  /(?:[ \t]+for[ \t]+(?:(?:the|my|our|your|this|that|his|her|their)[ \t]+)?\S+(?:[ \t]+\S+)?)?[ \t]+(?:is|was)[ \t]*:?[ \t]*(?:(?:now|still|just|simply|literally|actually)[ \t]+)?(["'“‘`]?)([^\s"'”’`]+)/iy;
const trailingPunctuation = /[.,;:!?)\]}]+$/;
// Words that say what a password is like rather than what it is ("the password is 'incorrect'"), where the length,
// the quotes and the endings below do not already tell: a value under four characters, or a word with an ending of
// prose, is never read as a password.
const describingWords = new Set(
  'incorrect correct invalid secure insecure unknown private secret default simple complex unique random strong hidden'.split(
    ' ',
  ),
);
// Endings of English adjectives, participles and adverbs: a long word with one is a description ("unrecoverable",
// "automatically"), not a passphrase.
const proseEnding =
  /(?:ed|ing|ly|ive|ous|able|ible|ful|less|ness|ment|tion|sion|ent|ant|ance|ence|ity|ize|ise|ic|ics|ical|ary|ory|al)$/i;
// A value that ends its clause: the end of the text or line, punctuation, a word that starts a new clause, or a
// capital (a new sentence written without a full stop).
const clauseEnd =
  /^["'”’`]?[ \t]*(?:$|[\n\r.,;!?)]|[A-Z]|(?:and|but|so|please|thanks|thank|if|or|because|can|could|how|what|why|which)\b|[-–—])/;

// A participle right after the value: it names a scheme, not the password ("is SHA-256 hashed", "is base64 encoded").
const participleAfter = /^[ \t]+[a-z]+ed\b/;

/** How sure a value said to be a password is one, from its characters: 0 for words that describe a password. */
function passwordValueConfidence(value: string, quoted: boolean, after: string): number {
  if (value.length < 4 || describingWords.has(value.toLowerCase()) || participleAfter.test(after)) return 0;
  const hasDigit = /\d/.test(value);
  const hasLetter = /[A-Za-z]/.test(value);
  if (/^[A-Za-z]+$/.test(value)) {
    // "CorrectHorse", "HunterTwo": capitals inside a word are no prose.
    if (value.length >= 8 && /[a-z]/.test(value) && /[A-Z]/.test(value.slice(1))) return 0.7;
    if (proseEnding.test(value)) return 0;
    // One long lower-case word that ends the clause: a passphrase ("correcthorsebattery"), or a word in quotes.
    if ((value.length >= 12 || (quoted && value.length >= 6)) && clauseEnd.test(after)) return 0.6;
    return 0;
  }
  if (!hasLetter) return hasDigit && /^\d+$/.test(value) && value.length >= 6 ? 0.7 : 0;
  if (value.length < 6) return 0;
  // "8chars", "12characters"; "SHA256-hashed", "bcrypt-encrypted": a count or a description.
  if (/^\d{1,2}[a-z]+$/.test(value)) return 0;
  const lastPart = value.slice(value.lastIndexOf('-') + 1);
  if (lastPart !== value && /^[a-z]+$/.test(lastPart) && (proseEnding.test(lastPart) || describingWords.has(lastPart)))
    return 0;
  if (hasDigit) return 0.85;
  // Letters and symbols ("hunter!!x", "P@ssword"), not only hyphens and apostrophes of prose words.
  return /[^A-Za-z'’-]/.test(value) ? 0.75 : 0;
}

/**
 * Passwords said in a sentence: "my password is Hunter2!xyz", "the wifi password is correcthorsebattery", "the
 * password for the router was p@ss-w0rd". The value must look like one: digits with letters, symbols, capitals inside
 * a word, six digits or more, or one long word that ends the clause; "the password is wrong", "… is too short" and
 * "… is reset daily" are descriptions and are not reported.
 */
export const passwordPhraseRecognizer: PiiRecognizer = {
  name: 'password-phrase',
  kind: 'secret',
  scanText(scan) {
    const text = scan.text;
    passwordAnchor.lastIndex = 0;
    for (let match = passwordAnchor.exec(text); match !== null; match = passwordAnchor.exec(text)) {
      // "password" as a word of its own: a P right before, and no letter or digit before that.
      const wordStart = match.index - 1;
      if ((text.charCodeAt(wordStart) | 0x20) !== 112 /* p */) continue;
      if (isAsciiAlphanumericCode(text.charCodeAt(wordStart - 1))) continue;
      passwordPhrase.lastIndex = match.index + 7;
      const phrase = passwordPhrase.exec(text);
      if (phrase === null) continue;
      const value = phrase[2]!.replace(trailingPunctuation, '');
      const end = passwordPhrase.lastIndex - phrase[2]!.length + value.length;
      const confidence = passwordValueConfidence(value, phrase[1] !== '', text.slice(end, end + 24));
      if (confidence > 0) scan.add('secret', 'password-phrase', end - value.length, end, confidence);
    }
  },
};
