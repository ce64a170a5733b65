import { localSettingsFields, parseSettings, positiveWholeNumberSchema } from '@switchyard/adapter-utils';
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

const isPromptApi = (value: unknown) =>
  (typeof value === 'function' || (typeof value === 'object' && value !== null)) &&
  typeof (value as LanguageModelStatic).availability === 'function' &&
  typeof (value as LanguageModelStatic).create === 'function';

/** The strict schema of {@link ChromeAISettings}; zod/mini, so a page keeps only the parts of zod it uses. */
export const chromeAISettingsSchema = z.strictObject(
  {
    ...localSettingsFields,
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
    contextWindow: z.optional(positiveWholeNumberSchema('tokens')),
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
