import type { PiiScan } from '../pii-scan.js';
import type { PiiRecognizer } from '../recognizer.js';

// A name: one to four capitalised words, with the particles of European surnames between them.
const upper = '[A-ZÀ-ÖØ-ÞĀ-ſ]';
const lower = '[a-zß-öø-ÿĀ-ſ]';
// "Jane", "Anne-Marie", "O'Connor", "D’Angelo".
const nameWord = `${upper}(?:${lower}+(?:['’-]${upper}${lower}+)?|['’]${upper}${lower}+)`;
const particle = `(?:van|von|de|der|den|da|di|del|della|la|le|du|dos|das|ter|ten|bin|al|el)`;
const namePattern = new RegExp(String.raw`[ \t]*(${nameWord}(?:[ \t]+(?:${particle}[ \t]+)?${nameWord})*)`, 'y');

// Phrases that introduce the writer's (or someone's) name, in the languages the corpus covers.
const introductions =
  /\b(?:my name is|my name's|my full name is|i am called|i'm called|call me|je m['’]appelle|mon nom est|mon nom c'est|ich hei(?:ß|ss)e|mein name ist|me llamo|mi nombre es|mi chiamo|il mio nome [èe]|ik heet|mijn naam is|meu nome [ée]|eu me chamo|chamo-me|i am|i['’]m|this is|signed|firmado|unterschrieben|sign[ée])[ \t]+/gi;
// Words that often follow "I am" / "this is" with a capital letter and are not names.
const notNames = new Set(
  'A An The I It This That Here There Not So Sorry Happy Glad Going Trying Looking Writing Working Using Interested Fine Good Back Done Ready Sure English French German Spanish Italian Dutch American British Canadian Australian Indian Chinese Japanese Korean Brazilian Mexican Muslim Christian Jewish Catholic Hindu Buddhist Vegan Vegetarian Learning Planning Building Asking Curious New Just Still Also Only Very Really Currently Gonna Your Our My Their Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December Python Java JavaScript TypeScript Linux Windows Rust Chrome Firefox Google Microsoft Apple Amazon Facebook GitHub Docker Kubernetes Excel Word PowerPoint Part Step Chapter Section Question Answer Option Figure Table Example'.split(
    ' ',
  ),
);
// "I am" and "this is" introduce a name only when nothing in the rest of the sentence says otherwise.
const weakIntroductions = /^(?:i am|i['’]m|this is)[ \t]+$/i;
const speakerAfterName = /^[ \t,]*(?:from|speaking|here|calling|writing)\b/i;
const afterWeakName =
  /^(?:[ \t]*(?:[,.!;\n]|$|from|speaking|here|and i|und|et|y|e|en|,)|[ \t]+(?:from|speaking|here|calling|writing)\b)/i;

const labels =
  /(?:^|\n|[;|]\s*)[ \t]*(?:full name|name|first name|last name|surname|given name|vorname|nachname|nom|pr[ée]nom|nombre|apellidos?|nome|cognome|naam|voornaam|achternaam)[ \t]*:[ \t]*/gi;
const salutations =
  /^\s*(?:dear|dearest|liebe|lieber|sehr geehrte[rs]?|cher|ch[èe]re|querid[oa]|estimad[oa]|car[oa]|gentile|beste|geachte)[ \t]+(?:(?:mr|mrs|ms|miss|dr|prof|herr|frau|monsieur|madame|mademoiselle|se[ñn]or|se[ñn]ora|sig\.?|sig\.ra|signor|signora|dhr|mevrouw|mevr)\.?[ \t]+)?/i;
const notSalutationNames = new Set([
  'Sir',
  'Madam',
  'Sirs',
  'Team',
  'Customer',
  'Colleagues',
  'All',
  'Friends',
  'Hiring',
  'Manager',
  'Client',
  'Reader',
  'User',
  'Support',
  'Madame',
  'Monsieur',
  'Kunde',
  'Damen',
  'Kollegen',
]);
const closings =
  /(?:^|[\s>,.])(?:regards|best|best wishes|kind regards|warm regards|sincerely|yours(?: truly| faithfully| sincerely)?|cheers|thanks|thank you|many thanks|cordialement|bien [àa] vous|bisous|amiti[ée]s|gr[üu](?:ß|ss)e|viele gr[üu](?:ß|ss)e|liebe gr[üu](?:ß|ss)e|mit freundlichen gr[üu](?:ß|ss)en|mfg|lg|saludos|un saludo|atentamente|cordiali saluti|saluti|distinti saluti|un abbraccio|groeten|met vriendelijke groet|hartelijke groet|abra[çc]os|atenciosamente)[ \t]*[,.!]?[ \t]*\r?\n+[ \t]*(?:[-–—]+[ \t]*)?$/i;
const signatureTail = /^[ \t]*(?:[-–—]+[ \t]*)?/;

function nameAt(scan: PiiScan, offset: number): { start: number; end: number; words: string[] } | undefined {
  namePattern.lastIndex = offset;
  const match = namePattern.exec(scan.text);
  if (match === null) return undefined;
  const start = offset + match[0].length - match[1]!.length;
  const words = match[1]!.split(/[ \t]+/);
  // More than four capitalised words in a row is a title or a heading, not a name.
  if (words.length > 5) return undefined;
  return { start, end: offset + match[0].length, words };
}

// The pre-filter. A name found after an introduction or a label starts with a capital (the name pattern is
// case-sensitive): after blanks that follow a phrase's last word ("is", "called", "appelle", "am", "i'm" …), or after
// a label's ":" and optional blanks. Regexes find the capitals with a letter and blanks, or a colon, before them (the
// capitals after ". " that start most sentences never reach JavaScript), and the word before each is looked up.
// The capitals are split into classes of at most 16 characters: V8 scans a regex that starts with a class that small
// several times faster than one that starts with [A-Z] (measured on 4 KB of prose: 0.5 µs against 2.5 µs), so four
// small regexes cost less than one large one; one regex of every phrase is slower still.
const capitalPatterns = ['A-P', 'Q-Z', 'À-Ï', 'Ð-ÖØ-Þ', 'Ā-ſ'].map(
  (capitals) => new RegExp(`(?<=[A-Za-z\\u00c0-\\u02af][ \\t]+|:[ \\t]*)[${capitals}]`, 'g'),
);
const maxCapitalHits = 32;
// Each phrase's last word after its last apostrophe or hyphen ("c'est" → "est", "chamo-me" → "me"), lower case.
const phraseEnds = new Set(
  'is s called me appelle est heiße heisse ist llamo es chiamo è e heet é chamo am m signed firmado unterschrieben signé signe'.split(
    ' ',
  ),
);
const labelWords = new Set(
  'name surname vorname nachname nom prénom prenom nombre apellido apellidos nome cognome naam voornaam achternaam'.split(
    ' ',
  ),
);

/** Latin letters, accented ones included (not ×, ÷ or the apostrophes and dashes of other blocks). */
function isPhraseLetterCode(code: number): boolean {
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    (code >= 192 && code <= 687 && code !== 215 && code !== 247)
  );
}

function isBlankCode(code: number): boolean {
  return code === 32 || code === 9;
}

/** The word ending at `end` (letters only), lower case, or `''`. */
function wordBefore(text: string, end: number): string {
  let begin = end;
  while (begin > 0 && isPhraseLetterCode(text.charCodeAt(begin - 1))) begin -= 1;
  return begin === end ? '' : text.slice(begin, end).toLowerCase();
}

// First letters of the salutations (any case).
const salutationInitials = new Set([...'bcdeglqs'].map((letter) => letter.charCodeAt(0)));

/** Whether the first character after leading white space can start a salutation. */
function mayOpenWithSalutation(text: string): boolean {
  let index = 0;
  while (index < text.length && /\s/.test(text[index]!)) index += 1;
  return salutationInitials.has(text.charCodeAt(index) | 0x20);
}

/** Whether `text` may introduce a name: the pre-filter, exported so tests can prove it never hides one. */
export function mayIntroduceName(text: string): boolean {
  let hits = 0;
  for (const pattern of capitalPatterns) {
    pattern.lastIndex = 0;
    while (pattern.test(text)) {
      if (introducesNameAt(text, pattern.lastIndex - 1)) return true;
      // Title Case or code has a capital after most words: past this many, reading the phrases costs less.
      if (++hits > maxCapitalHits) return true;
    }
  }
  return false;
}

/** Whether a phrase's last word, or a label and its colon, comes before the blanks before `capital`. */
function introducesNameAt(text: string, capital: number): boolean {
  let end = capital;
  while (end > 0 && isBlankCode(text.charCodeAt(end - 1))) end -= 1;
  if (text.charCodeAt(end - 1) !== 58 /* : */) return phraseEnds.has(wordBefore(text, end));
  end -= 1;
  while (end > 0 && isBlankCode(text.charCodeAt(end - 1))) end -= 1;
  return labelWords.has(wordBefore(text, end));
}

/**
 * People's names given in context: introductions ("my name is …", "je m'appelle …", "ich heiße …", "me llamo …",
 * "mi chiamo …", "ik heet …"), form labels ("Name: …"), salutations ("Dear Ms Novak,") and signatures after a
 * closing ("Best regards,\nJane Doe"). A name alone, without such context, is not reported: word problems are full
 * of first names, and telling a person from a place without a model is guesswork.
 */
export const personNameRecognizer: PiiRecognizer = {
  name: 'person-name',
  kind: 'person-name',
  scanText(scan) {
    const text = scan.text;
    if (!scan.prefilter || mayIntroduceName(text)) {
      introductions.lastIndex = 0;
      for (let match = introductions.exec(text); match !== null; match = introductions.exec(text)) {
        const name = nameAt(scan, match.index + match[0].length);
        if (name === undefined || notNames.has(name.words[0]!)) continue;
        const weak = weakIntroductions.test(match[0]);
        if (weak && (name.words.length > 3 || !afterWeakName.test(text.slice(name.end, name.end + 12)))) continue;
        // "this is Brahman.", "this is Python.": one word after "this is" names a person only when the sentence
        // says it is someone speaking ("this is Jane from accounting", "this is Jane speaking").
        if (
          weak &&
          name.words.length === 1 &&
          /^this/i.test(match[0]) &&
          !speakerAfterName.test(text.slice(name.end, name.end + 16))
        ) {
          continue;
        }
        scan.add('person-name', 'person-name', name.start, name.end, weak ? 0.6 : 0.85);
      }
      labels.lastIndex = 0;
      for (let match = labels.exec(text); match !== null; match = labels.exec(text)) {
        const name = nameAt(scan, match.index + match[0].length);
        if (name !== undefined && !notNames.has(name.words[0]!))
          scan.add('person-name', 'person-name', name.start, name.end, 0.8);
      }
    }
    // Both checks below read a slice of the text; most texts fail them at a character that needs none.
    const salutation = mayOpenWithSalutation(text) ? salutations.exec(text.slice(0, 80)) : null;
    if (salutation !== null) {
      const name = nameAt(scan, salutation[0].length);
      if (name !== undefined && !notSalutationNames.has(name.words[0]!)) {
        scan.add('person-name', 'person-name', name.start, name.end, 0.7);
      }
    }
    // A signature: a closing, then a line that is only a name, at the end of the message.
    const tailStart = Math.max(0, text.length - 160);
    if (text.indexOf('\n', tailStart) === -1) return;
    const tail = text.slice(tailStart).trimEnd();
    const lastBreak = tail.lastIndexOf('\n');
    if (lastBreak > 0 && closings.test(tail.slice(0, lastBreak + 1))) {
      const lineStart = tailStart + lastBreak + 1;
      const offset = lineStart + (signatureTail.exec(tail.slice(lastBreak + 1))?.[0].length ?? 0);
      const name = nameAt(scan, offset);
      if (name !== undefined && name.end === tailStart + tail.length && !notNames.has(name.words[0]!)) {
        scan.add('person-name', 'person-name', name.start, name.end, 0.75);
      }
    }
  },
};
