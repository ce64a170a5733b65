import type { Target, TargetCapabilities } from '@switchyard/contract';
import { ensureTinyModel } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanTargets, createTargetsFromConfig, parseConfig } from '../src/index.js';

/** Capabilities as data (functions such as countTokens are not part of what a plan assumes). */
function declared(capabilities: TargetCapabilities): Record<string, unknown> {
  return Object.fromEntries(Object.entries(capabilities).filter(([, value]) => typeof value !== 'function'));
}

// For every adapter, what `switchyard plan` assumes must be what the live target declares before it runs. No target
// runs here: creating one is lazy (no model load, no connection), so unreachable endpoints are fine.
describe('switchyard plan assumes what the live targets declare', () => {
  let modelPath: string;
  const live: Target[] = [];
  beforeAll(async () => {
    modelPath = await ensureTinyModel();
  });
  afterAll(async () => {
    await Promise.allSettled(live.map((target) => target.dispose?.()));
  });

  const cases: Array<[string, (modelPath: string) => Record<string, unknown>]> = [
    ['llamacpp with defaults', (path) => ({ adapter: 'llamacpp', modelPath: path })],
    ['llamacpp with contextSize', (path) => ({ adapter: 'llamacpp', modelPath: path, contextSize: 2048 })],
    [
      'llamacpp with quality and tools off',
      (path) => ({ adapter: 'llamacpp', modelPath: path, capabilities: { quality: 0.4, tools: false } }),
    ],
    ['openai with defaults', () => ({ adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' })],
    [
      'openai with price and a context window',
      () => ({
        adapter: 'openai',
        baseURL: 'http://127.0.0.1:9/v1',
        model: 'm',
        price: { inputPer1M: 0.6, outputPer1M: 0.8 },
        capabilities: { contextWindow: 131_072, continuation: true },
      }),
    ],
    [
      'openai pool of two replicas',
      () => ({ adapter: 'openai', baseURL: ['http://127.0.0.1:9/v1', 'http://127.0.0.2:9/v1'], model: 'm' }),
    ],
    ['ollama with defaults', () => ({ adapter: 'ollama', model: 'llama3.2:1b', baseURL: 'http://127.0.0.1:9' })],
    [
      'ollama with settings.options.num_ctx',
      () => ({
        adapter: 'ollama',
        model: 'llama3.2:1b',
        baseURL: 'http://127.0.0.1:9',
        settings: { options: { num_ctx: 16_384 } },
      }),
    ],
    ['triton with defaults', () => ({ adapter: 'triton', baseURL: 'http://127.0.0.1:9', model: 'ensemble' })],
    [
      'triton with a context window',
      () => ({
        adapter: 'triton',
        baseURL: 'http://127.0.0.1:9',
        model: 'ensemble',
        capabilities: { contextWindow: 2048 },
      }),
    ],
  ];

  it.each(cases)('%s', async (_name, target) => {
    const config = parseConfig({ targets: { subject: target(modelPath) } }, { baseDir: process.cwd() });
    const planned = createPlanTargets(config).subject as Target;
    const targets = await createTargetsFromConfig(config, { env: {} });
    const subject = targets.subject as Target;
    live.push(subject);
    expect(declared(planned.capabilities)).toEqual(declared(subject.capabilities));
    expect(planned.locality).toBe(subject.locality);
  });
});
