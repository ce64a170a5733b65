// The kit's `setup` entry: settings are checked in a page's first load (see create-openai-target-with.ts).
import { parseSettings, positiveWholeNumberSchema, targetIdSchema } from '@switchyard/adapter-utils/setup';
import {
  capabilitySettingsSchema,
  type TargetCapabilities,
  type TargetPrice,
  targetPriceSchema,
} from '@switchyard/contract';
import type { Dispatcher } from 'undici';
import * as z from 'zod/mini';

/**
 * Settings of {@link createOpenAITarget}. Only `baseURL` and `model` are required.
 *
 * @example
 * ```ts
 * const settings: OpenAISettings = {
 *   baseURL: 'http://127.0.0.1:8000/v1',
 *   model: 'meta-llama/Llama-3.1-8B-Instruct',
 *   capabilities: { contextWindow: 131_072 },
 * };
 * ```
 */
export interface OpenAISettings {
  /** The API root that `/chat/completions` and `/models` hang off, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: string;
  /** The model name sent in every request (vLLM's `--served-model-name`, NIM's model id, ...). */
  model: string;
  /** The target's id for routing and logs. Default `openai:<model>`. */
  id?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Never appears in errors, events or logs. */
  apiKey?: string;
  /** Extra request headers (e.g. `api-key` for Azure-style gateways). Values of secret-looking names are redacted. */
  headers?: Record<string, string>;
  /** The undici dispatcher for every request. Default: a keep-alive `Agent` shared by all targets. */
  dispatcher?: Dispatcher;
  /** Maximum connections per origin of the target's own `Agent` (ignored with `dispatcher`). Default: unlimited. */
  connections?: number;
  /** Deadline for a whole call, in ms; exceeded → retryable `TimeoutError` (phase `total`). Default: none. */
  timeoutMs?: number;
  /** Deadline for the first token of a stream, in ms → retryable `TimeoutError` (phase `first-token`). */
  firstTokenTimeoutMs?: number;
  /**
   * Largest JSON answer `generate()` reads, in bytes; a body past it is a non-retryable `InvalidResponseError` (the
   * connection is closed). Default 32 MiB: about 60× the text of a 128k-token answer.
   */
  maxResponseBytes?: number;
  /** Which body field carries `maxTokens`. Default `max_tokens` (`max_completion_tokens` for newer hosted APIs). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens' | 'both';
  /** `maxTokens` sent when the call has none. Default: none (the server decides). */
  defaultMaxTokens?: number;
  /** Ask for token usage on streams with `stream_options.include_usage`. Default true. */
  streamUsage?: boolean;
  /**
   * Adds vLLM's `continue_final_message: true, add_generation_prompt: false` when continuing an `assistantPrefix`.
   * llama-server continues a final assistant message without it. Default false.
   */
  continueFinalMessage?: boolean;
  /** Fields merged into every request body as is (`top_k`, `repetition_penalty`, `chat_template_kwargs`, ...). */
  extraBody?: Record<string, unknown>;
  /** What the model can do; missing fields take the defaults in the README. */
  capabilities?: Partial<Omit<TargetCapabilities, 'price'>>;
  /** US dollars per million tokens. */
  price?: TargetPrice;
  /** Health probe URL for `checkStatus()`. Default `<baseURL>/models`; llama-server and vLLM also serve `/health`. */
  healthURL?: string;
  /** How long a probe result is reused by `checkStatus()`, in ms. Default 5000. */
  healthCacheMs?: number;
}

const urlMessage = 'expected a URL like http://127.0.0.1:8000/v1';
const httpUrl = () =>
  z.string(urlMessage).check(z.refine((value) => /^https?:\/\/[^/]/.test(value) && URL.canParse(value), urlMessage));
const modelMessage = 'expected the model name the server serves';

/**
 * The strict schema {@link parseOpenAISettings} checks settings with (the descriptor's `settingsSchema`). zod/mini,
 * so a page that bundles the adapter keeps only the parts of zod it uses.
 */
// Unknown keys are usually typos (`baseUrl`), which would otherwise be ignored silently: strict.
export const openAISettingsSchema = z.strictObject({
  baseURL: httpUrl(),
  model: z.string(modelMessage).check(z.minLength(1, modelMessage)),
  id: z.optional(targetIdSchema()),
  apiKey: z.optional(z.string('expected a string (the API key)')),
  headers: z.optional(z.record(z.string(), z.string())),
  dispatcher: z.optional(
    z.custom<Dispatcher>(
      (value) => typeof value === 'object' && value !== null && typeof (value as Dispatcher).request === 'function',
      'expected an undici Dispatcher (Agent, Pool, Client)',
    ),
  ),
  connections: z.optional(positiveWholeNumberSchema('connections')),
  timeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
  firstTokenTimeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
  maxResponseBytes: z.optional(positiveWholeNumberSchema('bytes')),
  maxTokensField: z.optional(z.enum(['max_tokens', 'max_completion_tokens', 'both'])),
  defaultMaxTokens: z.optional(positiveWholeNumberSchema('tokens')),
  streamUsage: z.optional(z.boolean()),
  continueFinalMessage: z.optional(z.boolean()),
  extraBody: z.optional(z.record(z.string(), z.unknown())),
  capabilities: z.optional(capabilitySettingsSchema),
  price: z.optional(targetPriceSchema),
  healthURL: z.optional(httpUrl()),
  healthCacheMs: z.optional(z.number().check(z.int(), z.nonnegative())),
});

/**
 * Checks settings once, at construction, with the kit's `parseSettings`. Throws `InvalidConfigError` whose problems
 * name each field, e.g. `baseURL: expected a URL like http://127.0.0.1:8000/v1`, and an unknown key with the nearest
 * valid one (`baseUrl: unknown setting; did you mean "baseURL"?`). Values are never echoed, so a misplaced key stays
 * secret. Returns the caller's object, so the dispatcher and functions keep their identity.
 */
export function parseOpenAISettings(input: unknown): OpenAISettings {
  return parseSettings<OpenAISettings>(openAISettingsSchema, input);
}
