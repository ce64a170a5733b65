// The tiny model's SentencePiece-style vocabulary: special tokens, the 256 byte-fallback tokens every llama
// tokenizer needs (so any text can be tokenized), single characters, and whole words the model "speaks".

/** llama.cpp token types. */
export const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** SentencePiece's visible space, which prefixes word pieces. */
const SPACE = '\u2581';

const WORDS = `the a an and or but of to in on at for with from by about as into over after before under
is are was were be been being have has had do does did will would can could should may might must
I you he she it we they me him her us them my your his its our their this that these those here there
what which who when where why how all any both each few more most other some such no not only own same so
than too very just now then also again once still even ever never always often sometimes
time day night year way thing man woman child world life hand part place case week company system program
question work number point home water room mother area money story fact month lot right study book eye job
word business issue side kind head house service friend father power hour game line end member law car city
name team minute idea kid body information back parent face others level office door health person art war
history party result change morning reason research girl guy moment air teacher force education
good new first last long great little old big high different small large next early young important public
bad able late hard major better best sure free true whole real clear simple quiet bright happy warm cold
say make go know take see come think look want give use find tell ask seem feel try leave call keep let begin
help talk turn start show hear play run move like live believe hold bring write sit stand lose pay meet
include continue set learn lead understand watch follow stop create speak read allow add spend grow open walk
win offer remember love consider appear buy wait serve die send expect build stay fall cut reach kill remain
model token answer router signal target local remote edge cloud device fast slow ready switch yard train
hello yes okay thanks please`;

const PUNCTUATION = ['.', ',', '!', '?', ':', ';', '-', "'", '"', '(', ')'];

/** Tokens after which the model is likely to emit end-of-sequence. */
export const SENTENCE_ENDS = ['.', '!', '?'];

export interface TinyVocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
  unk: number;
  bos: number;
  eos: number;
  /** Token ids the model may produce: words and punctuation. Everything else gets a strongly negative logit. */
  speakable: number[];
  /** Token ids of {@link SENTENCE_ENDS}. */
  sentenceEnds: number[];
  /**
   * Tokens before this id are the original vocabulary (specials, bytes, characters, spoken words); the word-part
   * pieces after it only help the tokenizer. The model's weights for the first ones do not depend on the later ones.
   */
  spokenTokens: number;
}

/** Builds the vocabulary. Its order is fixed, so token ids are stable across versions of this file's words. */
export function buildTinyVocabulary(): TinyVocabulary {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const speakable: number[] = [];
  const seen = new Set<string>();
  const add = (text: string, type: number, score: number, speak = false): number => {
    if (seen.has(text)) {
      const existing = tokens.indexOf(text);
      if (speak && !speakable.includes(existing)) speakable.push(existing);
      return existing;
    }
    seen.add(text);
    tokens.push(text);
    scores.push(score);
    types.push(type);
    if (speak) speakable.push(tokens.length - 1);
    return tokens.length - 1;
  };
  const unk = add('<unk>', TokenType.unknown, 0);
  const bos = add('<s>', TokenType.control, 0);
  const eos = add('</s>', TokenType.control, 0);
  // ChatML markers, so the ChatML chat template renders to single control tokens.
  add('<|im_start|>', TokenType.control, 0);
  add('<|im_end|>', TokenType.control, 0);
  for (let byte = 0; byte < 256; byte++) {
    add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, TokenType.byte, 0);
  }
  // SentencePiece merges pieces by score: whole words score higher than single characters.
  add(SPACE, TokenType.normal, -1000);
  const characters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (const ch of characters) add(ch, TokenType.normal, -900);
  for (const ch of characters) add(SPACE + ch, TokenType.normal, -800);
  const sentenceEnds: number[] = [];
  for (const mark of PUNCTUATION) {
    const id = add(mark, TokenType.normal, -500, true);
    if (SENTENCE_ENDS.includes(mark)) sentenceEnds.push(id);
  }
  const words = WORDS.split(/\s+/).filter(Boolean);
  words.forEach((word, i) => {
    add(SPACE + word, TokenType.normal, -10 - i / 100, true);
  });
  const spokenTokens = tokens.length;
  // Every leading part of every word (`▁ed`, `▁edu`, …), never spoken. SentencePiece builds a word by merging
  // adjacent pieces that are themselves in the vocabulary, so without these steps "education" would tokenize to
  // characters while the model speaks it as one token: text the model wrote would not tokenize back to the tokens it
  // sampled, and a continuation after that text (mid-stream failover) would see another context. Appended after the
  // spoken pieces so existing token ids stay stable.
  for (const word of words) {
    for (let end = 2; end < word.length; end++) add(SPACE + word.slice(0, end), TokenType.normal, -700 + end);
  }
  return { tokens, scores, types, unk, bos, eos, speakable, sentenceEnds, spokenTokens };
}
