/**
 * `@switchyard/ai-sdk` connects Switchyard and the Vercel AI SDK in both directions. `createSwitchyard(router)` is an
 * AI SDK provider whose `LanguageModelV4` models run every call through a Switchyard router (fallback, hedging,
 * privacy and device-aware routing, mid-stream failover), with the route in `providerMetadata.switchyard`.
 * `createAISDKTarget(model, settings)` turns any AI SDK language model into a Switchyard `Target`, and
 * `switchyardMiddleware(settings)` adds the same routing to a model you already hold, with `wrapLanguageModel`.
 */
export type { AISDKTargetSettings } from './create-ai-sdk-target.js';
export { createAISDKTarget } from './create-ai-sdk-target.js';
export type { BoundedFetchOptions } from './create-bounded-fetch.js';
export { createBoundedFetch } from './create-bounded-fetch.js';
export type { SwitchyardModelId, SwitchyardProvider, SwitchyardProviderSettings } from './create-switchyard.js';
export { createSwitchyard } from './create-switchyard.js';
export { fromAISDKError } from './from-ai-sdk-error.js';
export type { SwitchyardModelConfig } from './switchyard-language-model.js';
export { AUTO_MODEL_ID, SwitchyardLanguageModel } from './switchyard-language-model.js';
export type { SwitchyardMiddleware, SwitchyardMiddlewareSettings } from './switchyard-middleware.js';
export { switchyardMiddleware } from './switchyard-middleware.js';
export { toAISDKError } from './to-ai-sdk-error.js';
export type { SwitchyardCallOptions } from './to-switchyard-request.js';
export { switchyardCallOptionsSchema } from './to-switchyard-request.js';
