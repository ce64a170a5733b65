/**
 * `@switchyard/adapter-wllama`: llama.cpp in WebAssembly (`@wllama/wllama`, in its own Web Worker) as a local
 * Switchyard target in the browser, with model download progress as status and the model kept in browser storage.
 */
export type { WllamaSettings, WllamaTarget } from './wllama-target.js';
export { createWllamaTarget } from './wllama-target.js';
