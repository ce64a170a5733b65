import { InvalidConfigError } from '@switchyard/contract';
import {
  createOpenAITargetWith,
  type OpenAIPlatform,
  type OpenAITarget,
  openAIDescriptorWith,
} from '../create-openai-target-with.js';
import type { OpenAISettings } from '../openai-settings.js';
import { openAICallPath } from './openai-call-path.js';

/**
 * The browser (and worker) platform: the global `fetch`, and the call path loaded on demand (a chunk of its own in a
 * page, fetched once the first target is created: bench row 10).
 */
const fetchPlatform: OpenAIPlatform = {
  connect(settings) {
    // undici settings mean nothing here; silently ignoring a pool size would hide a config written for Node.
    for (const field of ['dispatcher', 'connections'] as const) {
      if (settings[field] !== undefined) {
        throw new InvalidConfigError({
          problems: [
            {
              path: field,
              message:
                'is for Node (undici); in a browser requests go through fetch and its connection pool: remove it',
            },
          ],
        });
      }
    }
    return { callPath: openAICallPath.loaded ?? (() => openAICallPath.load()), close: async () => undefined };
  },
};

/**
 * Creates a `Target` for an OpenAI-compatible endpoint in a web page or a worker: the browser build of
 * `@switchyard/adapter-openai` (chosen by bundlers through the `browser` export condition). Same settings, streaming,
 * continuation, deadlines and typed errors as on Node, over the global `fetch`; `dispatcher` and `connections` are
 * Node-only and rejected. The server must allow the page's origin (CORS) and expose `Retry-After`. The code that
 * makes calls is a chunk of its own, imported when the first target is created: a call that starts before it has
 * loaded waits for it, and one it cannot load (offline, blocked, no answer in 10 s) fails with a retryable
 * `TargetUnavailableError`; the next call tries again.
 *
 * @example
 * ```ts
 * import { createOpenAITarget } from '@switchyard/adapter-openai';
 *
 * const gpu = createOpenAITarget({ baseURL: 'https://gpu.example.com/v1', model: 'llama-3.1-8b', timeoutMs: 60_000 });
 * const stop = new AbortController();
 * for await (const part of gpu.stream({ messages: [{ role: 'user', content: 'Hi' }], signal: stop.signal })) {
 *   if (part.type === 'text-delta') output.textContent += part.text;
 * }
 * ```
 */
export function createOpenAITarget(input: OpenAISettings): OpenAITarget {
  return createOpenAITargetWith(fetchPlatform, input);
}

/** The adapter's self-description (as the Node entry's `openAIDescriptor`), whose `create` makes the fetch target. */
export const openAIDescriptor = openAIDescriptorWith(createOpenAITarget);
