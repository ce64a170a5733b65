/**
 * `@switchyard/adapter-wllama`: llama.cpp in WebAssembly (`@wllama/wllama`, in its own Web Worker) as a local
 * Switchyard target in the browser, with model download progress as status and the model kept in browser storage.
 */
export type { WllamaLogger } from './wllama-logger.js';
export type { WllamaSettings } from './wllama-settings.js';
export type { WllamaTarget } from './wllama-target.js';
export { createWllamaTarget } from './wllama-target.js';
