import type { TargetCall } from './request.js';
import type { GenerateResult } from './result.js';
import type { StreamPart } from './stream-part.js';
import type { UnavailableCode } from './target-status.js';

/** Where a target runs: on the user's device, or on a remote endpoint. */
export type Locality = 'local' | 'remote';

/** Prices in US dollars per million tokens. */
export interface TargetPrice {
  inputPer1M: number;
  outputPer1M: number;
}

/** What a target can do, declared up front so the router can decide without calling it. */
export interface TargetCapabilities {
  /** Maximum prompt + output tokens. */
  contextWindow: number;
  /** Maximum output tokens per call. */
  maxOutputTokens: number;
  /** Function calling. */
  tools: boolean;
  /** `responseFormat: { type: 'json_schema' }`. */
  jsonSchema: boolean;
  /** Image content parts. */
  images: boolean;
  /** Continues after `TargetCall.assistantPrefix` instead of starting over (used for mid-stream failover). */
  continuation?: boolean;
  /**
   * `generate()` asks the runtime for the whole answer at once, which costs less than streaming it (an HTTP target
   * reads one JSON body instead of parsing an event stream), and honours the call's `signal` as `stream()` does. The
   * router then calls `generate()` instead of `stream()` for a `router.generate()` request that needs no first token
   * (no first-token or stall timeout, no hedge). Declare it only when `generate()` applies every deadline of the
   * target's own settings; a target whose settings need the first token (a first-token timeout) leaves it out.
   */
  wholeAnswers?: boolean;
  /** Price per million tokens; absent means free (typical for local targets). */
  price?: TargetPrice;
  /**
   * Relative answer quality of the model, from 0 (tiny) to 1 (frontier). Used by quality-aware routing.
   * Defaults: 0.3 for local targets, 0.8 for remote ones.
   */
  quality?: number;
  /**
   * Counts tokens with the target's own tokenizer. Must be synchronous and cheap; returns `undefined` when the
   * tokenizer is not available yet (for example before a local model is loaded), and the router then estimates.
   */
  countTokens?: (text: string) => number | undefined;
}

/**
 * How a target describes itself to tracing and metrics (OpenTelemetry GenAI attributes). Optional: without it the
 * router derives the provider and model from `id` (`provider:model`).
 */
export interface TargetTelemetry {
  /** `gen_ai.provider.name`, for example `openai` (any OpenAI-compatible server), `ollama`, `llama.cpp`. */
  providerName: string;
  /** `gen_ai.request.model`: the model name sent to the runtime. */
  model?: string;
  /** `server.address` / `server.port` of a remote endpoint. */
  serverAddress?: string;
  serverPort?: number;
}

/** Readiness of a target, as last known. */
export type TargetStatus =
  | { state: 'ready' }
  | { state: 'loading' }
  | {
      state: 'downloading';
      /** 0..1 */
      progress: number;
      receivedBytes?: number;
      totalBytes?: number;
    }
  | {
      state: 'unavailable';
      /** Stable, for programs: which kind of unavailability (see `unavailableCodes`). */
      code: UnavailableCode;
      /** For people: what is wrong and how to fix it. */
      reason: string;
    };

/**
 * One model on one runtime. Adapters implement it; the router only talks to this interface.
 *
 * @example
 * ```ts
 * const target: Target = createOpenAITarget({ baseURL: 'http://127.0.0.1:8000/v1', model: 'llama' });
 * const result = await target.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 16 });
 * ```
 */
export interface Target {
  readonly specificationVersion: 'v1';
  /** Stable identifier, for example `openai:meta/llama-3.1-70b-instruct`. */
  readonly id: string;
  readonly locality: Locality;
  readonly capabilities: TargetCapabilities;
  /** Provider, model and endpoint for traces and metrics. */
  readonly telemetry?: TargetTelemetry;
  /** Readiness as last known. Synchronous and free of I/O: the router reads it while planning. */
  status(): TargetStatus;
  /** Actively checks readiness (a health probe, a file check) and updates what `status()` returns. */
  checkStatus?(options?: { signal?: AbortSignal }): Promise<TargetStatus>;
  /** Generates a complete answer. Rejects with a `SwitchyardError`. */
  generate(call: TargetCall): Promise<GenerateResult>;
  /**
   * Streams an answer. Parts follow the order text-delta / tool-call…, then at most one `usage`, then exactly one
   * `finish`. Failures are thrown from the iterator as `SwitchyardError`s; breaking out of the loop cancels the call.
   */
  stream(call: TargetCall): AsyncIterable<StreamPart>;
  /** Frees native memory, sockets and timers. */
  dispose?(): Promise<void>;
}
