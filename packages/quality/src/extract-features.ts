/**
 * Turns a prompt into a sparse feature vector in one pass over its characters: hashed word unigrams and bigrams
 * (tokens inside multiple-choice options get their own hash space), optional hashed character n-grams, and a few
 * dense signals (length buckets, numbers, sentences, options). No regex and no substrings: the only allocations are
 * the reusable output buffers, which keeps scoring a 4 KB prompt well under a millisecond.
 */

/** How prompts are hashed into features. Stored in the weights file so training and scoring always agree. */
export interface FeatureSettings {
  /** log2 of the number of hashed buckets (e.g. 16 → 65,536). */
  hashBits: number;
  /** Whether adjacent word pairs are features too. */
  wordBigrams: boolean;
  /** Character n-gram length inside words; 0 turns them off. */
  charNgram: number;
}

/** A sparse vector whose first `length` entries are valid; duplicate indices add up. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
  length: number;
}

/** Reusable extractor; `extract` overwrites and returns the same buffers on every call. */
export interface FeatureExtractor {
  readonly dimension: number;
  extract(prompt: string): SparseVector;
}

/** Names of the dense features, appended after the hashed buckets in this order. */
export const denseFeatureNames = [
  'length<100',
  'length<200',
  'length<400',
  'length<800',
  'length<1600',
  'length>=1600',
  'log-characters',
  'log-numbers',
  'log-sentences',
  'has-options',
  'digit-share',
  'question-marks',
  'has-currency',
  'has-math-symbols',
  'long-word-share',
  'log-lines',
] as const;

const denseCount = denseFeatureNames.length;

/** Total number of features (hashed buckets plus dense ones) for these settings. */
export function featureDimension(settings: FeatureSettings): number {
  return 2 ** settings.hashBits + denseCount;
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;
const numberToken = 0x6e756d; // every number hashes as one token: magnitudes generalise, exact values do not
const stemSeed = 0x1b873593;
const optionSeed = 0x5bd1e995;
const bigramSeed = 0x27d4eb2f;
const charSeed = 0x165667b1;

function finalize(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function isWordCode(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    (code >= 0xc0 && (code < 0x2000 || code > 0x206f))
  );
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Creates a feature extractor for `settings`.
 * @example
 * const extractor = createFeatureExtractor({ hashBits: 16, wordBigrams: true, charNgram: 0 });
 * const vector = extractor.extract('What is 2 + 2?');
 */
export function createFeatureExtractor(settings: FeatureSettings): FeatureExtractor {
  const mask = 2 ** settings.hashBits - 1;
  const denseBase = mask + 1;
  const dimension = denseBase + denseCount;
  const ngram = settings.charNgram;
  const window = new Int32Array(Math.max(ngram, 1));
  let indices = new Int32Array(1024);
  let values = new Float32Array(1024);
  const vector: SparseVector = { indices, values, length: 0 };

  function push(index: number, value: number): void {
    if (vector.length === indices.length) {
      const biggerIndices = new Int32Array(indices.length * 2);
      biggerIndices.set(indices);
      const biggerValues = new Float32Array(values.length * 2);
      biggerValues.set(values);
      indices = biggerIndices;
      values = biggerValues;
      vector.indices = indices;
      vector.values = values;
    }
    indices[vector.length] = index;
    values[vector.length] = value;
    vector.length += 1;
  }

  function extract(prompt: string): SparseVector {
    vector.length = 0;
    const length = prompt.length;
    let token = fnvOffset;
    let tokenLength = 0;
    let tokenIsNumber = false;
    let previous = 0;
    let inOptions = false;
    let atLineStart = true;
    let numbers = 0;
    let sentences = 0;
    let digits = 0;
    let questionMarks = 0;
    let currency = 0;
    let mathSymbols = 0;
    let words = 0;
    let longWords = 0;
    let lines = 1;
    let options = 0;
    let charCount = 0;

    const endToken = (): void => {
      if (tokenLength === 0) return;
      const seed = inOptions ? optionSeed : stemSeed;
      const hash = tokenIsNumber ? numberToken : token;
      push(finalize(hash ^ seed) & mask, 1);
      if (settings.wordBigrams && previous !== 0) {
        push(finalize(Math.imul(previous, 31) ^ hash ^ bigramSeed ^ seed) & mask, 1);
      }
      previous = hash;
      words += 1;
      if (tokenIsNumber) numbers += 1;
      else if (tokenLength >= 9) longWords += 1;
      tokenLength = 0;
      token = fnvOffset;
      tokenIsNumber = false;
    };

    for (let i = 0; i < length; i++) {
      let code = prompt.charCodeAt(i);
      if (atLineStart && code >= 65 && code <= 68 && prompt.charCodeAt(i + 1) === 46) {
        // A line starting "A." … "D." opens a multiple-choice option; its words carry a different signal.
        inOptions = true;
        options += 1;
      }
      atLineStart = code === 10;
      if (isWordCode(code)) {
        if (code >= 65 && code <= 90) code += 32;
        if (tokenLength === 0) tokenIsNumber = isDigit(code);
        token = Math.imul(token ^ code, fnvPrime);
        tokenLength += 1;
        if (isDigit(code)) digits += 1;
        if (ngram > 0) {
          window[(tokenLength - 1) % ngram] = code;
          if (tokenLength >= ngram && !tokenIsNumber) {
            let gram = charSeed;
            for (let k = tokenLength - ngram; k < tokenLength; k++)
              gram = Math.imul(gram ^ window[k % ngram]!, fnvPrime);
            push(finalize(gram) & mask, 0.5);
          }
        }
        continue;
      }
      endToken();
      if (code === 10) lines += 1;
      else if (code === 63) questionMarks += 1;
      else if (code === 36 || code === 8364 || code === 163) currency += 1;
      else if (code === 61 || code === 94 || code === 92 || code === 43 || code === 42 || code === 37) mathSymbols += 1;
      if ((code === 46 || code === 63 || code === 33) && (i + 1 === length || prompt.charCodeAt(i + 1) <= 32)) {
        sentences += 1;
      }
      if (code > 32) {
        // Punctuation and symbols are single-character tokens so `$ <number>` or `x ^` pairs become features.
        const seed = inOptions ? optionSeed : stemSeed;
        const symbol = Math.imul(fnvOffset ^ code, fnvPrime);
        push(finalize(symbol ^ seed) & mask, 1);
        previous = symbol;
      }
    }
    endToken();
    charCount = length;

    // Scale hashed counts so long and short prompts land on the same scale.
    const hashed = vector.length;
    if (hashed > 0) {
      const norm = 1 / Math.sqrt(hashed);
      for (let j = 0; j < hashed; j++) values[j] = values[j]! * norm;
    }

    const bucket =
      charCount < 100 ? 0 : charCount < 200 ? 1 : charCount < 400 ? 2 : charCount < 800 ? 3 : charCount < 1600 ? 4 : 5;
    push(denseBase + bucket, 1);
    push(denseBase + 6, Math.log1p(charCount) / 8);
    push(denseBase + 7, Math.log1p(numbers) / 3);
    push(denseBase + 8, Math.log1p(sentences) / 3);
    push(denseBase + 9, options >= 2 ? 1 : 0);
    push(denseBase + 10, charCount > 0 ? (digits / charCount) * 10 : 0);
    push(denseBase + 11, Math.min(questionMarks, 4) / 4);
    push(denseBase + 12, currency > 0 ? 1 : 0);
    push(denseBase + 13, Math.min(mathSymbols, 8) / 8);
    push(denseBase + 14, words > 0 ? (longWords / words) * 4 : 0);
    push(denseBase + 15, Math.log1p(lines) / 3);
    return vector;
  }

  return { dimension, extract };
}
