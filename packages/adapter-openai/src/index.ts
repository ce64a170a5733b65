/**
 * `@switchyard/adapter-openai` connects Switchyard to remote GPU endpoints that speak the OpenAI-compatible chat API
 * (vLLM, NVIDIA NIM, SGLang, TGI, llama.cpp's `llama-server`, hosted clouds). `createOpenAITarget(settings)` returns
 * a contract `Target` with `locality: 'remote'`: HTTP on undici with keep-alive (on `fetch` in browsers and workers, through the `browser` export condition), streaming over Server-Sent Events with
 * tool-call deltas assembled, typed and redacted errors, timeouts, cancellation and a cached health probe.
 */

export { createOpenAITarget, openAIDescriptor } from './create-openai-target.js';
export type { OpenAIModelInfo, OpenAITarget } from './create-openai-target-with.js';
export type { OpenAISettings } from './openai-settings.js';
