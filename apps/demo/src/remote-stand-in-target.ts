import type { OpenAITarget } from '@switchyard/adapter-openai';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { standInContextLength } from './demo-policy.js';

/**
 * The demo's target on its GPU stand-in, whether the router runs in the demo's process (adapter-openai on undici) or
 * in the page (its `fetch` build: the bundler picks it). The router estimates ~4 characters per token for this
 * target; the stand-in's generated vocabulary needs about one token per character, so the declared window is a
 * quarter of the served context. The prices are pretend GPU-cloud prices, so costs show up.
 */
export function createRemoteStandInTarget(baseURL: string, model: string): OpenAITarget {
  return createOpenAITarget({
    baseURL,
    model,
    capabilities: { contextWindow: standInContextLength / 4, maxOutputTokens: 1_024, quality: 0.8 },
    price: { inputPer1M: 0.6, outputPer1M: 2.4 },
    // After "break the remote", the next probe (see probeUnreadyTargets) brings it back within a second or two.
    healthCacheMs: 1_000,
  });
}
