// Writes a small, deterministic llama-architecture GGUF model with seeded random weights. It knows no language, but it
// is shaped so that tests see realistic behaviour: the weights favour whole words and punctuation (readable output),
// end-of-sequence follows sentence-ending punctuation often enough that some answers finish with `stop` and others
// run into the token limit, and a ChatML chat template in the metadata makes chat wrappers work.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeGguf, type GgufTensor, type GgufValue } from './gguf-writer.js';
import { createSeededRandom } from './seeded-random.js';
import { buildTinyVocabulary } from './tiny-vocabulary.js';

/** The ChatML template stored as `tokenizer.chat_template`; node-llama-cpp and llama-server both recognise it. */
export const TINY_MODEL_CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Options of {@link writeTinyModel} and {@link encodeTinyModel}. */
export interface TinyModelOptions {
  /** Hidden size. Default 64. Must be a multiple of `headCount`. */
  embeddingLength?: number;
  /** Transformer layers. Default 2. */
  blockCount?: number;
  /** Feed-forward size. Default `2 * embeddingLength`. */
  feedForwardLength?: number;
  /** Attention heads (also used as key/value heads). Default 2. */
  headCount?: number;
  /** `llama.context_length`, the context the model declares. Default 4096. */
  contextLength?: number;
  /** PRNG seed of the weights: equal options give byte-identical files. Default 1. */
  seed?: number;
  /** `general.name`. Default `switchyard-tiny`. */
  name?: string;
  /**
   * How strongly end-of-sequence follows `.`, `!` and `?` (the scale of the `</s>` output row). Default 0.25:
   * roughly half of short greedy answers end with `stop` and half reach `maxTokens`.
   */
  endOfSequenceStrength?: number;
}

/** Sizes {@link ensureTinyModel} knows. */
export type TinyModelSize = 'tiny' | 'large';

/** Options per size: `tiny` is ~0.5 MB and very fast; `large` is ~7 MB and several times slower per token. */
export const TINY_MODEL_PRESETS: Readonly<Record<TinyModelSize, Readonly<TinyModelOptions>>> = {
  tiny: { embeddingLength: 64, blockCount: 2, feedForwardLength: 128, headCount: 2, name: 'switchyard-tiny' },
  large: { embeddingLength: 128, blockCount: 8, feedForwardLength: 384, headCount: 4, name: 'switchyard-large' },
};

/**
 * Encodes the tiny model into GGUF bytes without touching the disk.
 *
 * @example
 * ```ts
 * const bytes = encodeTinyModel({ seed: 7 });
 * ```
 */
export function encodeTinyModel(options: TinyModelOptions = {}): Buffer {
  const embd = options.embeddingLength ?? 64;
  const layers = options.blockCount ?? 2;
  const ff = options.feedForwardLength ?? embd * 2;
  const heads = options.headCount ?? 2;
  const contextLength = options.contextLength ?? 4096;
  const eosStrength = options.endOfSequenceStrength ?? 0.25;
  if (!Number.isInteger(embd / heads) || embd % 2 !== 0 || (embd / heads) % 2 !== 0) {
    throw new Error(`embeddingLength ${embd} must be a multiple of 2 * headCount (${heads})`);
  }
  const random = createSeededRandom(options.seed ?? 1);
  // Uniform in [-1, 1) scaled so the standard deviation is `std`.
  const fill = (length: number, std: number): Float32Array => {
    const out = new Float32Array(length);
    const scale = std * Math.sqrt(3);
    for (let i = 0; i < length; i++) out[i] = (random() * 2 - 1) * scale;
    return out;
  };
  const ones = (length: number) => new Float32Array(length).fill(1);

  const vocab = buildTinyVocabulary();
  const n = vocab.tokens.length;

  // Dimension 0 of every embedding is a constant, so after the final RMS norm it acts as a bias input: output rows
  // with a negative weight there are suppressed. That is how byte and control tokens are kept out of the answers.
  const BIAS_INPUT = 3;
  const tokenEmbd = new Float32Array(embd * n);
  tokenEmbd.set(fill(embd * vocab.spokenTokens, 1));
  // Word-part pieces draw from their own stream, so adding them left every other weight (and answer) unchanged.
  const partsRandom = createSeededRandom((options.seed ?? 1) + 7919);
  for (let i = embd * vocab.spokenTokens; i < tokenEmbd.length; i++)
    tokenEmbd[i] = (partsRandom() * 2 - 1) * Math.sqrt(3);
  for (let t = 0; t < n; t++) tokenEmbd[t * embd] = BIAS_INPUT;

  const speakable = new Set(vocab.speakable);
  const output = new Float32Array(embd * n);
  const wordScale = 0.45;
  for (let t = 0; t < n; t++) {
    const row = t * embd;
    if (speakable.has(t)) {
      for (let i = 1; i < embd; i++) output[row + i] = (random() * 2 - 1) * wordScale * Math.sqrt(3);
    } else {
      output[row] = -4;
    }
  }
  // `</s>` gets the embeddings of sentence-ending punctuation as its output row: the residual stream still carries
  // the last token's embedding, so end-of-sequence becomes likely right after `.`, `!` or `?`.
  const eosRow = vocab.eos * embd;
  output[eosRow] = 0;
  // A positive bias makes sentence ends come up every few words.
  for (const end of vocab.sentenceEnds) output[end * embd] = 1;
  for (const end of vocab.sentenceEnds) {
    for (let i = 1; i < embd; i++) {
      output[eosRow + i] = (output[eosRow + i] ?? 0) + eosStrength * (tokenEmbd[end * embd + i] ?? 0);
    }
  }

  const headDim = embd / heads;
  const tensors: GgufTensor[] = [{ name: 'token_embd.weight', dims: [embd, n], data: tokenEmbd }];
  for (let l = 0; l < layers; l++) {
    const proj = 1 / Math.sqrt(embd);
    // Sharper attention (larger query/key weights) lets a prompt of a few word tokens steer the answer; with plain
    // `proj` the chat template's tokens dominate and most prompts get the same answer.
    const focus = proj * 4;
    // Modest output projections keep the residual stream close to the input embedding (see the `</s>` row above)
    // while letting attention make the answer depend on the prompt.
    const residual = 1 / Math.sqrt(Math.max(embd, ff));
    tensors.push(
      { name: `blk.${l}.attn_norm.weight`, dims: [embd], data: ones(embd) },
      { name: `blk.${l}.attn_q.weight`, dims: [embd, embd], data: fill(embd * embd, focus) },
      { name: `blk.${l}.attn_k.weight`, dims: [embd, embd], data: fill(embd * embd, focus) },
      { name: `blk.${l}.attn_v.weight`, dims: [embd, embd], data: fill(embd * embd, proj) },
      { name: `blk.${l}.attn_output.weight`, dims: [embd, embd], data: fill(embd * embd, residual) },
      { name: `blk.${l}.ffn_norm.weight`, dims: [embd], data: ones(embd) },
      { name: `blk.${l}.ffn_gate.weight`, dims: [embd, ff], data: fill(embd * ff, proj) },
      { name: `blk.${l}.ffn_up.weight`, dims: [embd, ff], data: fill(embd * ff, proj) },
      { name: `blk.${l}.ffn_down.weight`, dims: [ff, embd], data: fill(ff * embd, residual) },
    );
  }
  tensors.push(
    { name: 'output_norm.weight', dims: [embd], data: ones(embd) },
    { name: 'output.weight', dims: [embd, n], data: output },
  );

  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: options.name ?? 'switchyard-tiny' }],
    ['general.alignment', { type: 'uint32', value: 32 }],
    ['general.file_type', { type: 'uint32', value: 0 }],
    ['llama.context_length', { type: 'uint32', value: contextLength }],
    ['llama.embedding_length', { type: 'uint32', value: embd }],
    ['llama.block_count', { type: 'uint32', value: layers }],
    ['llama.feed_forward_length', { type: 'uint32', value: ff }],
    ['llama.attention.head_count', { type: 'uint32', value: heads }],
    ['llama.attention.head_count_kv', { type: 'uint32', value: heads }],
    ['llama.rope.dimension_count', { type: 'uint32', value: headDim }],
    ['llama.rope.freq_base', { type: 'float32', value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }],
    ['llama.vocab_size', { type: 'uint32', value: n }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'float32[]', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'int32[]', value: vocab.types }],
    ['tokenizer.ggml.bos_token_id', { type: 'uint32', value: vocab.bos }],
    ['tokenizer.ggml.eos_token_id', { type: 'uint32', value: vocab.eos }],
    ['tokenizer.ggml.unknown_token_id', { type: 'uint32', value: vocab.unk }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: TINY_MODEL_CHAT_TEMPLATE }],
  ];
  return encodeGguf(metadata, tensors);
}

/** What {@link writeTinyModel} wrote. */
export interface WrittenTinyModel {
  path: string;
  bytes: number;
  /** Hex SHA-256 of the file. */
  sha256: string;
}

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Several test processes may ask for the same file at once: each writes its own temporary file and renames it
  // into place, so readers never see a half-written model.
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Writes the tiny model to `path` (creating the directory) and returns its size and SHA-256.
 *
 * @example
 * ```ts
 * const { path, sha256 } = await writeTinyModel({ path: '/tmp/tiny.gguf', seed: 1 });
 * ```
 */
export async function writeTinyModel(options: TinyModelOptions & { path: string }): Promise<WrittenTinyModel> {
  const bytes = encodeTinyModel(options);
  await writeAtomically(options.path, bytes);
  return { path: options.path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Switchyard's model cache directory: `$SWITCHYARD_CACHE_DIR`, else `$XDG_CACHE_HOME/switchyard/models`, else `~/.cache/switchyard/models`. */
export function modelCacheDir(): string {
  if (process.env.SWITCHYARD_CACHE_DIR) return join(process.env.SWITCHYARD_CACHE_DIR, 'models');
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'switchyard', 'models');
}

/**
 * The cache file name for generated model bytes: `<stem>-<first 12 hex of their sha256>.gguf`. Each version of the
 * generator gets its own file, so test runs from two checkouts (or a CI run beside a developer's) never rewrite a
 * model another process has loaded or is about to load.
 */
export function generatedModelFileName(stem: string, bytes: Uint8Array): string {
  return `${stem}-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.gguf`;
}

/**
 * Returns the path of a generated model in the cache, writing it only when it is missing or its bytes differ from
 * what this version of the generator produces. The file name carries the bytes' digest
 * ({@link generatedModelFileName}).
 *
 * @example
 * ```ts
 * const modelPath = await ensureTinyModel(); // ~/.cache/switchyard/models/switchyard-tiny-<digest>.gguf
 * const gpuStandIn = await ensureTinyModel({ size: 'large' });
 * ```
 */
export async function ensureTinyModel(options: { dir?: string; size?: TinyModelSize } = {}): Promise<string> {
  const size = options.size ?? 'tiny';
  const preset = TINY_MODEL_PRESETS[size];
  const expected = encodeTinyModel(preset);
  const path = join(options.dir ?? modelCacheDir(), generatedModelFileName(`switchyard-${size}`, expected));
  const existing = await readFile(path).catch(() => undefined);
  if (!existing?.equals(expected)) await writeAtomically(path, expected);
  return path;
}
