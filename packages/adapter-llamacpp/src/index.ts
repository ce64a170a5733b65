/**
 * `@switchyard/adapter-llamacpp` runs a GGUF model on the user's own device, in process, through node-llama-cpp
 * (llama.cpp): `createLlamaCppTarget()` gives the router a `local` target that loads lazily, reports its readiness
 * honestly (downloading, loading, ready, unavailable with a reason), queues callers in front of the context's
 * sequences, streams token by token and stops promptly on abort. `downloadModel()` fetches models into the cache,
 * resumably and verified; the `switchyard models pull` CLI reuses it.
 */
export type { LlamaCppTarget } from './create-llamacpp-target.js';
export { createLlamaCppTarget, llamaCppDescriptor } from './create-llamacpp-target.js';
export type { DownloadedModel, DownloadModelOptions } from './download-model.js';
export { downloadModel, modelFileName, resolveModelUrl } from './download-model.js';
export type { DownloadProgress, LlamaCppSettings } from './llamacpp-settings.js';
export { defaultThreads } from './llamacpp-settings.js';
