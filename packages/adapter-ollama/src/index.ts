/**
 * `@switchyard/adapter-ollama` turns one model on a local Ollama daemon into a Switchyard `Target` (locality
 * `local`). It speaks Ollama's native API rather than its OpenAI-compatible one, because only the native API says
 * whether the daemon is running, whether the model is pulled and whether it is in memory — which is what lets the
 * router skip a laptop that cannot answer and go remote instead of failing on a 400. It also pulls models with
 * progress, streams NDJSON chat with tools and JSON-schema output, and continues an assistant prefix.
 */

export type { OllamaSettings } from './ollama-settings.js';
export type { OllamaPullOptions, OllamaPullProgress, OllamaTarget } from './ollama-target.js';
export { createOllamaTarget, ollamaDescriptor } from './ollama-target.js';
