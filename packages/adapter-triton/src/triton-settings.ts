import { parseSettings, positiveWholeNumberSchema, targetIdSchema } from '@switchyard/adapter-utils';
import {
  capabilitySettingsSchema,
  type TargetCapabilities,
  type TargetPrice,
  targetPriceSchema,
} from '@switchyard/contract';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { ChatTemplate } from './chat-template.js';

/** Which Triton backend serves the model; it decides where sampling fields go in the generate request. */
export type TritonBackend = 'vllm' | 'tensorrt-llm';

/**
 * Settings of {@link createTritonTarget}. `baseURL` and `model` are required.
 *
 * @example
 * ```ts
 * const settings: TritonSettings = {
 *   baseURL: 'http://gpu-node-1:8000',
 *   model: 'ensemble',
 *   backend: 'tensorrt-llm',
 *   chatTemplate: 'llama3',
 *   capabilities: { contextWindow: 8192 },
 * };
 * ```
 */
export interface TritonSettings {
  /** Triton's HTTP endpoint (port 8000 by default), without `/v2`. */
  baseURL: string;
  /** The model name in Triton's model repository (`ensemble` for TensorRT-LLM, `vllm_model` in vLLM's samples). */
  model: string;
  /** A model version; default: the version Triton picks by its version policy. */
  modelVersion?: string;
  /** The target's id for routing and logs. Default `triton:<model>`. */
  id?: string;
  /**
   * The backend behind the model. `auto` (default) reads `/v2/models/{model}/config` once: `backend: "vllm"` means
   * vLLM, anything else (an `ensemble`, `tensorrtllm`, a BLS model) is treated as TensorRT-LLM.
   */
  backend?: TritonBackend | 'auto';
  /** How messages become `text_input`: `chatml` (default), `llama3`, `plain`, or your own function. */
  chatTemplate?: ChatTemplate;
  /**
   * Extra scalar request fields sent with every call: for vLLM, sampling parameters in the request's `parameters`
   * (`top_k`, `repetition_penalty`, `min_tokens`, ...); for TensorRT-LLM, input tensors in the body (`top_k`,
   * `repetition_penalty`, `end_id`, `pad_id`, ...). Call fields win over these.
   */
  parameters?: Record<string, string | number | boolean>;
  /** Extra request headers (an auth header of a gateway in front of Triton). Never shown in errors. */
  headers?: Record<string, string>;
  /** The undici dispatcher for every request. Default: a keep-alive `Agent` shared by all Triton targets. */
  dispatcher?: Dispatcher;
  /** Deadline for a whole call, in ms → retryable `TimeoutError` (`total`). Default: none. */
  timeoutMs?: number;
  /** Deadline for the first token, in ms → retryable `TimeoutError` (`first-token`). Default: none. */
  firstTokenTimeoutMs?: number;
  /**
   * Largest non-streamed body the target reads, in bytes: `generate()`'s answer and the model's configuration
   * (`/v2/models/<model>/config`); a body past it is a non-retryable `InvalidResponseError` (the connection is
   * closed). Default 32 MiB: about 60× the text of a 128k-token answer.
   */
  maxResponseBytes?: number;
  /** `maxTokens` sent when the call has none (TensorRT-LLM requires `max_tokens`). Default 512. */
  defaultMaxTokens?: number;
  /**
   * While `status()` is not `ready` (a model still `LOADING`, a server not ready or unreachable), how often it starts
   * another background `checkStatus()`, in ms, so the target comes back by itself once Triton is ready. Default 5000.
   */
  statusRefreshMs?: number;
  /** What the model can do; missing fields take the defaults in the README. */
  capabilities?: Partial<Omit<TargetCapabilities, 'price'>>;
  /** US dollars per million tokens (what the GPU time costs you), for budget-aware routing. */
  price?: TargetPrice;
}

const urlMessage = 'expected a URL like http://127.0.0.1:8000';

/** The strict schema {@link parseTritonSettings} checks settings with (the descriptor's `settingsSchema`). */
export const tritonSettingsSchema = z
  .object({
    baseURL: z.string(urlMessage).refine((value) => /^https?:\/\/[^/]/.test(value) && URL.canParse(value), urlMessage),
    model: z
      .string('expected the model name in Triton’s repository')
      .min(1, 'expected the model name in Triton’s repository'),
    modelVersion: z.string().regex(/^\d+$/, 'expected a version number such as "1"').optional(),
    id: z.optional(targetIdSchema()),
    backend: z.enum(['auto', 'vllm', 'tensorrt-llm']).optional(),
    chatTemplate: z
      .union(
        [
          z.enum(['chatml', 'llama3', 'plain']),
          z.custom<(messages: unknown) => string>((value) => typeof value === 'function'),
        ],
        'expected "chatml", "llama3", "plain" or a function (messages) => string',
      )
      .optional(),
    parameters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]), 'expected scalar values')
      .optional(),
    headers: z.record(z.string(), z.string()).optional(),
    dispatcher: z
      .custom<Dispatcher>(
        (value) => typeof value === 'object' && value !== null && typeof (value as Dispatcher).request === 'function',
        'expected an undici Dispatcher (Agent, Pool, Client)',
      )
      .optional(),
    timeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
    firstTokenTimeoutMs: z.optional(positiveWholeNumberSchema('milliseconds')),
    maxResponseBytes: z.optional(positiveWholeNumberSchema('bytes')),
    defaultMaxTokens: z.optional(positiveWholeNumberSchema('tokens')),
    statusRefreshMs: z.number('expected milliseconds, e.g. 5000').int().nonnegative().optional(),
    capabilities: z.optional(capabilitySettingsSchema),
    price: z.optional(targetPriceSchema),
  })
  // Unknown keys are usually typos (`baseUrl`, `chat_template`), which would otherwise be ignored silently.
  .strict();

/**
 * Checks settings once, at construction, with the kit's `parseSettings`: `InvalidConfigError` names each bad field,
 * and an unknown key with the nearest valid one.
 */
export function parseTritonSettings(input: unknown): TritonSettings {
  return parseSettings<TritonSettings>(tritonSettingsSchema, input);
}
