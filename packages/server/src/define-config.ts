import type { PolicyInput } from '@switchyard/core';
import type { z } from 'zod';
import type { configSchema } from './config-schema.js';

/** What a user writes in a config: the file's shape before defaults, with the policy typed by `@switchyard/core`. */
export type SwitchyardConfigInput = Omit<z.input<typeof configSchema>, 'policy'> & { policy?: PolicyInput };

/**
 * Not generic on purpose: a generic parameter would skip TypeScript's excess-property check, and a misspelt setting
 * (`modelpath`) is exactly what the editor should flag.
 *
 * Types a `switchyard.config.ts` (or `.js`/`.mjs`) for the editor: completion and errors on every field, at no cost
 * at run time (it returns its argument; `switchyard serve` and `plan` still validate the file). A function, possibly
 * async, is accepted too, for configs that read something first.
 *
 * @example
 * ```ts
 * // switchyard.config.ts
 * import { defineConfig } from '@switchyard/server';
 *
 * export default defineConfig({
 *   targets: {
 *     device: { adapter: 'llamacpp', modelPath: './models/qwen2.5-0.5b-instruct-q4_k_m.gguf' },
 *     gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'meta/llama-3.1-8b-instruct' },
 *   },
 *   policy: { mode: 'prefer-local' },
 * });
 * ```
 */
export function defineConfig(config: SwitchyardConfigInput): SwitchyardConfigInput;
export function defineConfig(
  config: () => SwitchyardConfigInput | Promise<SwitchyardConfigInput>,
): () => SwitchyardConfigInput | Promise<SwitchyardConfigInput>;
export function defineConfig(config: unknown): unknown {
  return config;
}
