/**
 * `@switchyard/adapter-chrome-ai`: the browser's built-in model (Chrome's Prompt API, `LanguageModel`) as a local
 * Switchyard target, with availability and model download reported as target status.
 */
export type { ChromeAISettings } from './chrome-ai-settings.js';
export type { ChromeAITarget } from './chrome-ai-target.js';
export { createChromeAITarget } from './chrome-ai-target.js';
export type {
  LanguageModelAvailability,
  LanguageModelCoreOptions,
  LanguageModelCreateOptions,
  LanguageModelExpected,
  LanguageModelMessage,
  LanguageModelPromptOptions,
  LanguageModelSession,
  LanguageModelStatic,
} from './prompt-api.js';
