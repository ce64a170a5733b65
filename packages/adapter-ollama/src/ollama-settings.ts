import { parseSettings, positiveWholeNumberSchema, targetIdSchema } from '@switchyard/adapter-utils';
import { capabilitySettingsSchema, type TargetCapabilities } from '@switchyard/contract';
import type { Dispatcher } from 'undici';
import { z } from 'zod';

/**
 * Settings of {@link createOllamaTarget}. Only `model` is required.
 *
 * @example
 * ```ts
 * const settings: OllamaSettings = {
 *   model: 'llama3.2:3b',
 *   keepAlive: '30m',
 *   options: { num_ctx: 8192 },
 * };
 * ```
 */
export interface OllamaSettings {
  /** The Ollama model name, `name[:tag]` (the tag defaults to `latest`), e.g. `llama3.2:3b`. */
  model: string;
  /** Where the daemon listens. Default `http://127.0.0.1:11434` (Ollama's default; `OLLAMA_HOST` changes it). */
  baseURL?: string;
  /** The target's id for routing and logs. Default `ollama:<model>`. */
  id?: string;
  /** How long Ollama keeps the model in memory after a call: a duration such as `'10m'`, seconds, or `-1` (forever). */
  keepAlive?: string | number;
  /**
   * Model options sent with every call (Ollama's Modelfile parameters: `num_ctx`, `temperature`, `top_k`,
   * `num_gpu`, ...). Call fields win over these: `maxTokens` → `num_predict`, `temperature`, `topP` → `top_p`,
   * `stop`, `seed`.
   */
  options?: Record<string, unknown>;
  /** The undici dispatcher for every request. Default: a keep-alive `Agent` shared by all Ollama targets. */
  dispatcher?: Dispatcher;
  /** Deadline for a whole call, in ms; exceeded → retryable `TimeoutError` (phase `total`). Default: none. */
  timeoutMs?: number;
  /**
   * Deadline for the first token of a call, in ms → retryable `TimeoutError` (phase `first-token`). Loading a large
   * model from disk can take tens of seconds, so set it generously. Default: none.
   */
  firstTokenTimeoutMs?: number;
  /**
   * Largest non-streamed body the target reads, in bytes: `generate()`'s answer, `load()`'s, and the model list and
   * model details it asks for (`/api/tags`, `/api/ps`, `/api/show`); a body past it is a non-retryable
   * `InvalidResponseError` (the connection is closed). Default 32 MiB: about 60× the text of a 128k-token answer.
   */
  maxResponseBytes?: number;
  /**
   * While `status()` is not `ready` (daemon not running, model not pulled, a failed probe), how often it starts
   * another background `checkStatus()`, in ms, so the target comes back by itself once `ollama serve` runs or the
   * model is pulled: the router does not probe local targets, it only reads `status()`. Default 5000.
   */
  statusRefreshMs?: number;
  /**
   * What the model can do. Fields set here are final; fields left out start from the defaults in the README and are
   * refined from `/api/show` by `checkStatus()` (tools and vision support, context length).
   */
  capabilities?: Partial<Omit<TargetCapabilities, 'price'>>;
}

const urlMessage = 'expected a URL like http://127.0.0.1:11434';

/** The strict schema {@link parseOllamaSettings} checks settings with (the descriptor's `settingsSchema`). */
export const ollamaSettingsSchema = z
  .object({
    model: z.string('expected the Ollama model name, e.g. "llama3.2:3b"').min(1, 'expected the Ollama model name'),
    baseURL: z
      .string(urlMessage)
      .refine((value) => /^https?:\/\/[^/]/.test(value) && URL.canParse(value), urlMessage)
      .optional(),
    id: z.optional(targetIdSchema()),
    keepAlive: z.union([z.string().min(1), z.number()], 'expected a duration such as "10m", seconds, or -1').optional(),
    options: z.record(z.string(), z.unknown(), 'expected an object of Ollama model options').optional(),
    dispatcher: z
      .custom<Dispatcher>(
        (value) => typeof value === 'object' && value !== null && typeof (value as Dispatcher).request === 'function',
        'expected an undici Dispatcher (Agent, Pool, Client)',
      )
      .optional(),
    timeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
    firstTokenTimeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
    maxResponseBytes: z.optional(positiveWholeNumberSchema('bytes')),
    statusRefreshMs: z.number('expected milliseconds, e.g. 5000').int().nonnegative().optional(),
    capabilities: z.optional(capabilitySettingsSchema),
  })
  // Unknown keys are usually typos (`baseUrl`, `keep_alive`), which would otherwise be ignored silently.
  .strict();

/**
 * Checks settings once, at construction, with the kit's `parseSettings`. Throws `InvalidConfigError` whose problems
 * name each field, e.g. `baseURL: expected a URL like http://127.0.0.1:11434`, and an unknown key with the nearest
 * valid one. Returns the caller's object, so the dispatcher and functions keep their identity.
 */
export function parseOllamaSettings(input: unknown): OllamaSettings {
  return parseSettings<OllamaSettings>(ollamaSettingsSchema, input);
}
