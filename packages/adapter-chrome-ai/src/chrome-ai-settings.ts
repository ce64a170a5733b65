import { parseSettings } from '@switchyard/adapter-utils';
import * as z from 'zod/mini';
import type { LanguageModelStatic } from './prompt-api.js';

/** Settings of {@link createChromeAITarget}; every field is optional. */
export interface ChromeAISettings {
  /** Target id. Default `chrome-ai`. */
  id?: string;
  /** The Prompt API to use. Default the page's or worker's `LanguageModel` global. */
  languageModel?: LanguageModelStatic;
  /** Languages the prompts and answers are in (BCP 47). Default `['en']`. */
  languages?: string[];
  /** Context window the router plans with. Default 4096 (the Prompt API reports the real one only per session). */
  contextWindow?: number;
  /** Cap on output tokens per call, counted as streamed chunks. Default 1024. */
  maxOutputTokens?: number;
  /** Relative quality 0..1 for quality-aware routing. Default the router's local default. */
  quality?: number;
}

/** The settings with their defaults filled in. */
export interface ChromeAIConfig {
  id: string;
  languageModel: LanguageModelStatic | undefined;
  languages: string[];
  contextWindow: number;
  maxOutputTokens: number;
  quality: number | undefined;
}

// A number is shown as it is (NaN, -1, 1.5 say what is wrong); anything else only by its kind, so a value put in the
// wrong field (a key, a token) never lands in a message.
const shown = (value: unknown): string => (typeof value === 'number' ? String(value) : `a ${typeof value}`);

const tokens = () =>
  z.custom<number>((value) => typeof value === 'number' && Number.isInteger(value) && value > 0, {
    error: (issue) => `expected a positive whole number of tokens, got ${shown(issue.input)}`,
  });

const isPromptApi = (value: unknown) =>
  (typeof value === 'function' || (typeof value === 'object' && value !== null)) &&
  typeof (value as LanguageModelStatic).availability === 'function' &&
  typeof (value as LanguageModelStatic).create === 'function';

/** The strict schema of {@link ChromeAISettings}; zod/mini, so a page keeps only the parts of zod it uses. */
export const chromeAISettingsSchema = z.strictObject(
  {
    id: z.optional(z.string('expected a non-empty string').check(z.minLength(1, 'expected a non-empty string'))),
    // `null` too, as before: the same as leaving it out.
    languageModel: z.optional(
      z.custom<LanguageModelStatic | null>((value) => value === null || isPromptApi(value), {
        error: 'expected the Prompt API (an object with availability() and create(), like the LanguageModel global)',
      }),
    ),
    languages: z.optional(
      z.custom<string[]>(
        (value) => Array.isArray(value) && value.length > 0 && value.every((tag) => typeof tag === 'string'),
        { error: "expected BCP 47 language tags, e.g. ['en']" },
      ),
    ),
    contextWindow: z.optional(tokens()),
    maxOutputTokens: z.optional(tokens()),
    quality: z.optional(
      z.custom<number>((value) => typeof value === 'number' && value >= 0 && value <= 1, {
        error: (issue) => `expected a number from 0 to 1, got ${shown(issue.input)}`,
      }),
    ),
  },
  { error: "expected a settings object or nothing, e.g. createChromeAITarget({ id: 'device' })" },
);

/** Checks the settings (a typed `InvalidConfigError` naming each bad field and what it expects) and fills defaults. */
export function parseChromeAISettings(input: ChromeAISettings): ChromeAIConfig {
  const settings = parseSettings<ChromeAISettings>(chromeAISettingsSchema, input);
  return {
    id: settings.id ?? 'chrome-ai',
    languageModel: settings.languageModel ?? undefined,
    languages: settings.languages ?? ['en'],
    contextWindow: settings.contextWindow ?? 4096,
    maxOutputTokens: settings.maxOutputTokens ?? 1024,
    quality: settings.quality,
  };
}
