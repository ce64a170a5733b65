import type { Target } from '@switchyard/contract';
import { ensureTinyModel, ReadmeExamples, swapOnce } from '@switchyard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import type { SwitchyardMiddleware } from '../src/index.js';
import { server, useLlamaServer } from './llama-server-fixture.js';

// The README's examples are run as written with the real `ai` and `@ai-sdk/openai-compatible` packages: the GPU is
// llama.cpp's real llama-server and the device llama.cpp in process, both on the generated tiny model. Only addresses,
// model names and the model file are swapped in (plus one thread and no GPU probe: 2-core machines).
// Written beside this file so the examples' bare imports (`ai`, `@ai-sdk/openai-compatible`) resolve from here.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url), {
  beside: new URL('.', import.meta.url),
});

/** The `nth` ```ts block of the section under `heading` (0: the first). */
const block = (heading: string, nth = 0) => examples.block(heading, { nth, until: /\n## / });
const swap = swapOnce;

async function toServer(source: string, models: RegExp, count = 1): Promise<string> {
  const swapped = swap(source, /baseURL: '[^']+'/, `baseURL: ${JSON.stringify(server.baseURL)}`, count);
  return swap(swapped, models, JSON.stringify(server.model), count);
}

async function toTinyModel(source: string): Promise<string> {
  const settings = `modelPath: ${JSON.stringify(await ensureTinyModel())}, threads: 1, gpu: false, contextSize: 1024`;
  return swap(source, /modelPath: '[^']+'/, settings);
}

const run = (name: string, source: string) => examples.run(name, source);

useLlamaServer();
const disposables: Array<Target | { dispose(): Promise<void> }> = [];

describe('README examples of @switchyard/ai-sdk (real ai packages, llama-server and llama.cpp)', () => {
  afterAll(async () => {
    for (const disposable of disposables) await disposable.dispose?.();
    examples.dispose();
  });

  it('"Router → AI SDK": streamText through the router is answered on the device, with the route', async () => {
    let source = await toTinyModel(block('## Router → AI SDK'));
    source = await toServer(source, /'llama'/);
    const { exports, logged, written } = await run('router-to-ai-sdk', `${source}\nexport { router };\n`);
    const router = exports.router as { targets: Record<string, Target>; dispose(): Promise<void> };
    disposables.push(router, ...Object.values(router.targets));
    expect(written.length).toBeGreaterThan(0);
    expect(logged).toEqual([['\nanswered by device (local), 0 fallbacks']]);
    // The example frees the llama.cpp target it made (the router frees nothing it did not create).
    expect(router.targets.device?.status()).toMatchObject({ state: 'unavailable', code: 'disposed' });
  });

  it('"AI SDK → router": an @ai-sdk/openai-compatible model as a target answers, with usage (includeUsage)', async () => {
    const source = await toServer(block('## AI SDK → router'), /'meta-llama\/Llama-3\.1-8B-Instruct'/);
    const { exports } = await run('ai-sdk-to-router', `${source}\nexport { gpu };\n`);
    const gpu = exports.gpu as Target;
    expect(gpu).toMatchObject({ id: 'vllm:llama-3.1-8b', locality: 'remote' });
    const answer = await gpu.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 });
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('"AI SDK → router" with createBoundedFetch: the bounded provider streams an answer', async () => {
    const source = await toServer(block('## AI SDK → router', 1), /'meta-llama\/Llama-3\.1-8B-Instruct'/);
    const { exports } = await run('bounded-fetch', `${source}\nexport { gpu };\n`);
    const gpu = exports.gpu as Target;
    let text = '';
    for await (const part of gpu.stream({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 })) {
      if (part.type === 'text-delta') text += part.text;
    }
    expect(text.length).toBeGreaterThan(0);
  });

  it('"Middleware": the wrapped model answers through the router and the route names it', async () => {
    let source = await toTinyModel(block('## Middleware: routing for a model you already hold'));
    source = await toServer(source, /'llama'/);
    const { exports, logged, written } = await run('middleware', `${source}\nexport { device, middleware };\n`);
    const device = exports.device as Target;
    // The router is the middleware's; the device target the example made is the example's to free.
    disposables.push(exports.middleware as SwitchyardMiddleware, device);
    expect(written.length).toBeGreaterThan(0);
    expect(logged).toEqual([['gpu']]);
    expect(device.status()).toMatchObject({ state: 'unavailable', code: 'disposed' });
  });
});
