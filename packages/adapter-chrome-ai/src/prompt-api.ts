/**
 * The part of the Prompt API (`LanguageModel`, the browser's built-in model) this adapter uses, as published in the
 * Prompt API explainer and on MDN. Declared here because TypeScript's DOM library does not have it yet.
 */

/** `LanguageModel.availability()`'s answer. */
export type LanguageModelAvailability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

/** One message of a prompt; `prefix: true` on a last assistant message makes the model continue it. */
export interface LanguageModelMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  prefix?: boolean;
}

/** What the model is told to expect, e.g. `{ type: 'text', languages: ['en'] }`. */
export interface LanguageModelExpected {
  type: 'text' | 'image' | 'audio';
  languages?: string[];
}

/** The options both `availability()` and `create()` take. */
export interface LanguageModelCoreOptions {
  expectedInputs?: LanguageModelExpected[];
  expectedOutputs?: LanguageModelExpected[];
  temperature?: number;
  topK?: number;
}

/** `create()`'s options: a download monitor, an abort signal, and the system prompt as initial prompts. */
export interface LanguageModelCreateOptions extends LanguageModelCoreOptions {
  signal?: AbortSignal;
  initialPrompts?: LanguageModelMessage[];
  monitor?: (monitor: EventTarget) => void;
}

/** A `prompt()` / `promptStreaming()` option bag. */
export interface LanguageModelPromptOptions {
  signal?: AbortSignal;
  responseConstraint?: Record<string, unknown>;
}

/** A session: stateful, one conversation. */
export interface LanguageModelSession {
  prompt(input: string | LanguageModelMessage[], options?: LanguageModelPromptOptions): Promise<string>;
  /** Chunks are deltas (the text added since the previous chunk). */
  promptStreaming(input: string | LanguageModelMessage[], options?: LanguageModelPromptOptions): ReadableStream<string>;
  measureContextUsage?(input: string | LanguageModelMessage[], options?: LanguageModelPromptOptions): Promise<number>;
  readonly contextWindow?: number;
  destroy(): void;
}

/** The `LanguageModel` global. */
export interface LanguageModelStatic {
  availability(options?: LanguageModelCoreOptions): Promise<LanguageModelAvailability>;
  create(options?: LanguageModelCreateOptions): Promise<LanguageModelSession>;
  /** Extension and experimental contexts only: the sampling defaults and limits. */
  params?(): Promise<{ defaultTopK: number; maxTopK: number; defaultTemperature: number; maxTemperature: number }>;
}

/** The page's or worker's `LanguageModel`, or `undefined` when the browser has no Prompt API. */
export function globalLanguageModel(): LanguageModelStatic | undefined {
  const candidate = (globalThis as { LanguageModel?: unknown }).LanguageModel;
  return typeof candidate === 'function' || (typeof candidate === 'object' && candidate !== null)
    ? (candidate as LanguageModelStatic)
    : undefined;
}
