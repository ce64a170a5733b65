import { InvalidConfigError } from '@switchyard/contract';
import { runTargetConformance } from '@switchyard/contract/testing';
import { collect, textOf } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The browser entry, run in Node: Node has the same global fetch, ReadableStream, AbortSignal and TextDecoder, so the
// fetch transport and the browser platform are exercised here as they are in a page (see browser.test.ts for Chromium).
import { createOpenAITarget, type OpenAITarget, openAIDescriptor } from '../src/browser/index.js';
import { openAIDescriptor as nodeDescriptor } from '../src/index.js';
import { call, runFaultSuiteOnOwnProxy, server, useLlamaServer } from './llama-server-fixture.js';

useLlamaServer();

runTargetConformance({
  name: 'adapter-openai (browser build, fetch transport) against llama-server',
  createTarget: () =>
    createOpenAITarget({
      baseURL: server.baseURL,
      model: server.model,
      healthURL: `${server.origin}/health`,
      timeoutMs: 60_000,
    }),
  deterministic: true,
});

runFaultSuiteOnOwnProxy('the shared fault suite through the fetch transport, a fault proxy in front of llama-server', {
  name: 'adapter-openai (browser build, fetch transport) against llama-server',
  createTarget: (baseURL) => createOpenAITarget({ baseURL: `${baseURL}/v1`, model: server.model, timeoutMs: 3000 }),
});

describe('the browser build against llama-server', () => {
  let target: OpenAITarget;
  beforeAll(() => {
    target = createOpenAITarget({ baseURL: server.baseURL, model: server.model, capabilities: { continuation: true } });
  });
  afterAll(async () => {
    await target?.dispose?.();
  });

  it('streams the same answer as the Node build generates', async () => {
    const { createOpenAITarget: createNodeTarget } = await import('../src/index.js');
    const node = createNodeTarget({ baseURL: server.baseURL, model: server.model });
    const streamed = await collect(target.stream(call));
    const text = textOf(streamed);
    expect(text).toBe((await node.generate(call)).text);
    expect(streamed.at(-1)?.type).toBe('finish');
    await node.dispose?.();
  });

  it('describes itself as the Node build does, and its descriptor creates the fetch target', async () => {
    const settings = openAIDescriptor.parseSettings({
      baseURL: server.baseURL,
      model: server.model,
      capabilities: { contextWindow: 4096 },
    });
    expect(openAIDescriptor.capabilities(settings)).toEqual(nodeDescriptor.capabilities(settings));
    const created = openAIDescriptor.create(settings);
    expect(created.capabilities).toEqual(openAIDescriptor.capabilities(settings));
    expect(await created.listModels()).toEqual([expect.objectContaining({ id: server.model })]);
    expect(() => openAIDescriptor.create({ ...settings, connections: 2 })).toThrow(/connections/);
  });

  it('rejects the Node-only settings, naming the field', () => {
    for (const field of ['dispatcher', 'connections'] as const) {
      const value = field === 'connections' ? 2 : { request() {} };
      let error: unknown;
      try {
        createOpenAITarget({ baseURL: server.baseURL, model: server.model, [field]: value } as never);
      } catch (thrown) {
        error = thrown;
      }
      expect(InvalidConfigError.isInstance(error)).toBe(true);
      expect((error as InvalidConfigError).problems[0]?.path).toBe(field);
    }
  });
});
