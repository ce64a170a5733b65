import { availableParallelism } from 'node:os';
import { parseSettings } from '@switchyard/adapter-utils';
import { z } from 'zod';

/** Settings of {@link createLlamaCppTarget}. Give either `modelPath` or `modelUri`. */
export interface LlamaCppSettings {
  /** A GGUF file on disk. */
  modelPath?: string;
  /**
   * Where to download the model from when it is not cached yet: `hf:<owner>/<repo>/<file>.gguf` or an `https:` /
   * `http:` URL. Downloads go to `cacheDir`, resumable, size- and optionally checksum-verified.
   */
  modelUri?: string;
  /**
   * Expected SHA-256 (hex) of the model file. A download that does not match fails; a file already on disk (cached
   * earlier or given as `modelPath`) is hashed on its first load and a mismatch makes the target unavailable
   * (`load-failed`, the reason names both digests). Hashing reads the whole file once per load.
   */
  sha256?: string;
  /** Download cache directory. Default `$SWITCHYARD_CACHE_DIR/models`, else `~/.cache/switchyard/models`. */
  cacheDir?: string;
  /** Target id. Default `llamacpp:<file name without .gguf>`. */
  id?: string;
  /** Tokens per sequence. Default: the model's training context, at most 4096. */
  contextSize?: number;
  /** CPU threads per evaluation. Default: about half the cores (at least 1, at most 8). */
  threads?: number;
  /** `'auto'` uses CUDA / Vulkan / Metal when a GPU build is installed; `false` forces the CPU. Default `'auto'`. */
  gpu?: 'auto' | false;
  /** Parallel generations (context sequences). Default 1. */
  sequences?: number;
  /** Calls allowed to wait for a free sequence; more are rejected as unavailable (retryable). Default 64. */
  maxQueue?: number;
  /** Output-token cap used when a call gives no `maxTokens`. Default 512. */
  defaultMaxTokens?: number;
  /** Relative answer quality from 0 to 1, passed to the router. Default 0.3. */
  quality?: number;
  /** Start downloading and loading the model right away instead of on the first call. Default false. */
  preload?: boolean;
  /**
   * While `status()` is `unavailable` because of the model file (missing, not downloaded yet, not GGUF, failed to
   * load), how often a look at it re-checks the file in the background, in ms, so the target becomes `ready` once the
   * file appears or is replaced: the router reads `status()` but never probes local targets. Default 5000.
   */
  statusRefreshMs?: number;
  /** Receives download progress (also what `status()` reports as `downloading`). */
  onDownloadProgress?: (progress: DownloadProgress) => void;
}

/** Progress of a model download. */
export interface DownloadProgress {
  receivedBytes: number;
  /** Undefined when the server does not say. */
  totalBytes: number | undefined;
  /** 0..1; 0 while the total is unknown. */
  progress: number;
}

const positiveInt = z.number('expected a positive whole number').int().positive();

/**
 * The strict schema {@link parseLlamaCppSettings} checks settings with (the descriptor's `settingsSchema`). Unknown
 * keys are rejected: a misspelt `threds` would otherwise be ignored and the model run with the default.
 */
export const llamaCppSettingsSchema = z
  .strictObject({
    modelPath: z.string('expected the path of a .gguf file').min(1, 'expected the path of a .gguf file').optional(),
    modelUri: z
      .string('expected an hf: or https: URI')
      .regex(/^(hf:|https?:\/\/)/, 'expected an hf:<owner>/<repo>/<file>.gguf or https: URI')
      .optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'expected 64 hexadecimal characters (the SHA-256 of the model file)')
      .optional(),
    cacheDir: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    contextSize: positiveInt.optional(),
    threads: positiveInt.optional(),
    gpu: z.union([z.literal('auto'), z.literal(false)], "expected 'auto' or false").optional(),
    sequences: positiveInt.optional(),
    maxQueue: z.number('expected a whole number, 0 or more').int().nonnegative().optional(),
    defaultMaxTokens: positiveInt.optional(),
    quality: z.number('expected a number from 0 to 1').min(0).max(1).optional(),
    preload: z.boolean('expected true or false').optional(),
    statusRefreshMs: z.number('expected milliseconds (0 or more)').int().nonnegative().optional(),
    onDownloadProgress: z
      .custom<(progress: DownloadProgress) => void>((value) => typeof value === 'function', 'expected a function')
      .optional(),
  })
  .refine((settings) => settings.modelPath !== undefined || settings.modelUri !== undefined, {
    message: 'expected "modelPath" (a .gguf file) or "modelUri" (an hf: or https: URI)',
    path: ['modelPath'],
  });

/**
 * Checks settings with the kit's `parseSettings`: `InvalidConfigError` names each bad field, and an unknown key with
 * the nearest valid one (`threds: unknown setting; did you mean "threads"?`). Returns the caller's object, so
 * callbacks keep their identity.
 */
export function parseLlamaCppSettings(input: unknown): LlamaCppSettings {
  return parseSettings<LlamaCppSettings>(llamaCppSettingsSchema, input);
}

/**
 * A thread count that suits the machine: llama.cpp slows down badly when its threads outnumber free cores (with
 * 4 threads on 2 cores, small models run hundreds of times slower), so use half the cores, at least 1.
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, Math.floor(availableParallelism() / 2)));
}
