import { createAgent, createUndiciTransport } from '@switchyard/adapter-utils';
import {
  createOpenAITargetWith,
  type OpenAIPlatform,
  type OpenAITarget,
  openAIDescriptorWith,
} from './create-openai-target-with.js';
import { createOpenAICalls } from './openai-calls.js';
import type { OpenAISettings } from './openai-settings.js';

/**
 * Node: undici with keep-alive (the settings' `dispatcher`, a target's own `Agent` for `connections`, or the kit's
 * shared one, which reuses connections across targets), and the call path imported with the rest.
 */
const nodePlatform: OpenAIPlatform = {
  connect(settings) {
    const ownAgent =
      settings.dispatcher === undefined && settings.connections !== undefined
        ? createAgent(settings.connections)
        : undefined;
    return {
      callPath: { createCalls: createOpenAICalls, transport: createUndiciTransport(settings.dispatcher ?? ownAgent) },
      close: async () => ownAgent?.close(),
    };
  },
};

/**
 * Creates a `Target` for a remote endpoint that speaks the OpenAI-compatible chat API: vLLM, NVIDIA NIM, SGLang,
 * TGI, llama.cpp's `llama-server`, or a hosted cloud. On Node, HTTP runs on undici with keep-alive; in a browser or a
 * worker (the `browser` export condition) on `fetch`. Streams are parsed as Server-Sent Events. Settings are
 * validated here: bad ones throw `InvalidConfigError` naming the field.
 *
 * @example
 * ```ts
 * import { createOpenAITarget } from '@switchyard/adapter-openai';
 *
 * const gpu = createOpenAITarget({
 *   baseURL: 'http://10.0.0.5:8000/v1',
 *   model: 'meta-llama/Llama-3.1-8B-Instruct',
 *   apiKey: process.env.VLLM_API_KEY,
 *   capabilities: { contextWindow: 131_072 },
 *   price: { inputPer1M: 0.1, outputPer1M: 0.2 },
 * });
 * for await (const part of gpu.stream({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 })) {
 *   if (part.type === 'text-delta') process.stdout.write(part.text);
 * }
 * ```
 */
export function createOpenAITarget(input: OpenAISettings): OpenAITarget {
  return createOpenAITargetWith(nodePlatform, input);
}

/**
 * The adapter's self-description for tools that create targets from config (`@switchyard/server`).
 *
 * @example
 * ```ts
 * const settings = openAIDescriptor.parseSettings({ baseURL: 'http://127.0.0.1:8000/v1', model: 'm' });
 * openAIDescriptor.capabilities(settings); // what the target will declare
 * const target = openAIDescriptor.create(settings);
 * ```
 */
export const openAIDescriptor = openAIDescriptorWith(createOpenAITarget);
