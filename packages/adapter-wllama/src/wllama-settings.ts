import { localSettingsFields, parseSettings, positiveWholeNumberSchema } from '@switchyard/adapter-utils';
import * as z from 'zod/mini';
import type { WllamaLogger } from './wllama-logger.js';

/** Settings of {@link createWllamaTarget}. */
export interface WllamaSettings {
  /** URL of the GGUF model (the first file of a split model). */
  modelUrl: string;
  /**
   * URL of `wllama.wasm` as your app serves it: copy `@wllama/wllama/esm/wasm/wllama.wasm` to your static files, or
   * import it with your bundler's asset URL syntax (e.g. Vite's `?url`).
   */
  wasmUrl: string;
  /** Target id. Default `wllama`. */
  id?: string;
  /** Context size in tokens (`n_ctx`). Default 2048. */
  contextSize?: number;
  /** Cap on output tokens per call. Default 512. */
  maxOutputTokens?: number;
  /**
   * Threads. Default: wllama's choice — several when the page is cross-origin isolated (COOP/COEP headers, so
   * `SharedArrayBuffer` exists), one otherwise.
   */
  threads?: number;
  /** Keep the downloaded model in the browser's storage (Origin Private File System) for the next visit. Default true. */
  useCache?: boolean;
  /** Start downloading and loading the model at once. Default true; otherwise on the first call or `load()`. */
  loadEagerly?: boolean;
  /** Relative quality 0..1 for quality-aware routing. */
  quality?: number;
  /**
   * Where llama.cpp's and wllama's warnings and errors go (about two warnings per request), one string each.
   * Default `console`. Route them to your own logger, or drop them, which also spares the page the `console.warn`
   * calls: about 0.3–0.5 ms of time to first token on the tiny model (BENCHMARKS.md, row 11).
   *
   * @example
   * ```ts
   * createWllamaTarget({ modelUrl, wasmUrl, logger: { warn: (message) => myLog.warn(message), error: (message) => myLog.error(message) } });
   * createWllamaTarget({ modelUrl, wasmUrl, logger: { warn() {}, error() {} } }); // silent
   * ```
   */
  logger?: WllamaLogger;
}

/** The settings with their defaults filled in. */
export interface WllamaConfig {
  id: string;
  modelUrl: string;
  wasmUrl: string;
  contextSize: number;
  maxOutputTokens: number;
  threads: number | undefined;
  useCache: boolean;
  loadEagerly: boolean;
  quality: number | undefined;
  logger: WllamaLogger | undefined;
}

const servedUrl = (example: string) =>
  z
    .string(`expected the URL your app serves it at, e.g. '${example}'`)
    .check(z.minLength(1, `expected the URL your app serves it at, e.g. '${example}'`));

const hasMethods = (value: unknown, names: readonly string[]) =>
  typeof value === 'object' &&
  value !== null &&
  names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

/** The strict schema of {@link WllamaSettings}; zod/mini, so a page keeps only the parts of zod it uses. */
export const wllamaSettingsSchema = z.strictObject(
  {
    modelUrl: servedUrl('/models/model.gguf'),
    wasmUrl: servedUrl('/wllama.wasm'),
    ...localSettingsFields,
    contextSize: z.optional(positiveWholeNumberSchema('tokens')),
    threads: z.optional(positiveWholeNumberSchema('threads')),
    useCache: z.optional(z.boolean('expected true or false')),
    loadEagerly: z.optional(z.boolean('expected true or false')),
    logger: z.optional(
      z.custom<WllamaLogger>((value) => hasMethods(value, ['warn', 'error']), {
        error: 'expected an object with warn(message) and error(message), e.g. console',
      }),
    ),
  },
  {
    error:
      "expected settings with modelUrl and wasmUrl, e.g. { modelUrl: '/models/model.gguf', wasmUrl: '/wllama.wasm' }",
  },
);

/** Checks the settings (a typed `InvalidConfigError` naming each bad field and what it expects) and fills defaults. */
export function parseWllamaSettings(input: WllamaSettings): WllamaConfig {
  const settings = parseSettings<WllamaSettings>(wllamaSettingsSchema, input);
  return {
    id: settings.id ?? 'wllama',
    modelUrl: settings.modelUrl,
    wasmUrl: settings.wasmUrl,
    contextSize: settings.contextSize ?? 2048,
    maxOutputTokens: settings.maxOutputTokens ?? 512,
    threads: settings.threads,
    useCache: settings.useCache ?? true,
    loadEagerly: settings.loadEagerly ?? true,
    quality: settings.quality,
    logger: settings.logger,
  };
}
