/**
 * The browser entry of `@switchyard/adapter-openai` (the `browser` export condition): the same `createOpenAITarget`
 * over the global `fetch`, with no Node built-in and no undici, for web pages and workers.
 */
export type { OpenAIModelInfo, OpenAITarget } from '../create-openai-target-with.js';
export type { OpenAISettings } from '../openai-settings.js';
export { createOpenAITarget, openAIDescriptor } from './create-openai-target.js';
