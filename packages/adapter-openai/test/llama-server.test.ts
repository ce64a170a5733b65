import { InvalidResponseError } from '@switchyard/contract';
import { runTargetConformance } from '@switchyard/contract/testing';
import { collect, type FaultProxy, startFaultProxy, textOf } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget, type OpenAITarget } from '../src/index.js';
import { call, runFaultSuiteOnOwnProxy, server, useLlamaServer } from './llama-server-fixture.js';

// One real llama-server (llama.cpp, built from the source node-llama-cpp ships) serves the whole file.
useLlamaServer();

runTargetConformance({
  name: 'adapter-openai against llama-server',
  createTarget: () =>
    createOpenAITarget({
      baseURL: server.baseURL,
      model: server.model,
      connections: 2,
      healthURL: `${server.origin}/health`,
      timeoutMs: 60_000,
    }),
  deterministic: true,
});

// The other generate() path: with firstTokenTimeoutMs the answer is streamed and collected (a JSON body has no first
// token to time), and the target does not offer whole answers to the router.
runTargetConformance({
  name: 'adapter-openai against llama-server, generate() streamed (firstTokenTimeoutMs)',
  createTarget: () =>
    createOpenAITarget({
      baseURL: server.baseURL,
      model: server.model,
      connections: 2,
      healthURL: `${server.origin}/health`,
      timeoutMs: 60_000,
      firstTokenTimeoutMs: 60_000,
    }),
  deterministic: true,
});

describe('adapter-openai against llama-server', () => {
  let target: OpenAITarget;
  beforeAll(() => {
    target = createOpenAITarget({
      baseURL: server.baseURL,
      model: server.model,
      connections: 2,
      capabilities: { continuation: true },
    });
  });
  afterAll(async () => {
    await target?.dispose?.();
  });

  it('reports the same usage when streaming as when generating', async () => {
    const parts = await collect(target.stream(call));
    const generated = await target.generate(call);
    expect(parts.find((part) => part.type === 'usage')).toEqual({ type: 'usage', usage: generated.usage });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: generated.finishReason });
  });

  it('continues an assistant prefix and returns only the new text', async () => {
    const full = await target.generate({ ...call, maxTokens: 16 });
    const words = full.text.match(/\s*\S+/g) ?? [];
    expect(words.length).toBeGreaterThan(4);
    const prefix = words.slice(0, 3).join('');
    const continued = await target.generate({ ...call, maxTokens: 4, assistantPrefix: prefix });
    expect(continued.text.startsWith(prefix)).toBe(false);
    expect(`${prefix}${continued.text}`).toBe(full.text.slice(0, prefix.length + continued.text.length));
    const streamed = await collect(target.stream({ ...call, maxTokens: 4, assistantPrefix: prefix }));
    const streamedText = textOf(streamed);
    expect(streamedText).toBe(continued.text);
  });

  it('serves two streams at once on two slots', async () => {
    const [first, second] = await Promise.all([collect(target.stream(call)), collect(target.stream(call))]);
    expect(first).toEqual(second);
  });

  // llama-server closes a connection after every streamed response although its headers say `Keep-Alive`. On one
  // connection a request queued behind a stream is written onto that connection as the stream ends, before the close
  // arrives: without the transport's one retry it failed with UND_ERR_SOCKET "other side closed" every time (this is
  // what made the test above fail now and then on a loaded machine, where a stream's end and the next request meet).
  it('answers requests queued behind a stream on one connection, which llama-server closes after the stream', async () => {
    const single = createOpenAITarget({ baseURL: server.baseURL, model: server.model, connections: 1 });
    try {
      const [streamed, generated, streamedAgain] = await Promise.all([
        collect(single.stream(call)),
        single.generate(call),
        collect(single.stream(call)),
      ]);
      expect(textOf(streamed)).toBe(generated.text);
      expect(streamedAgain).toEqual(streamed);
    } finally {
      await single.dispose?.();
    }
  });

  it('discovers the served model and probes health', async () => {
    expect(await target.listModels()).toEqual([expect.objectContaining({ id: server.model })]);
    expect(await target.checkStatus?.()).toEqual({ state: 'ready' });
  });

  describe('behind the fault proxy', () => {
    let proxy: FaultProxy;
    let proxied: OpenAITarget;
    beforeAll(async () => {
      proxy = await startFaultProxy({ upstream: server.origin });
      proxied = createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: server.model, connections: 2 });
    });
    afterAll(async () => {
      await proxied?.dispose?.();
      await proxy?.close();
    });

    it('turns a real stream without [DONE] into an InvalidResponseError', async () => {
      proxy.queueFaults({ type: 'drop-done' });
      await expect(collect(proxied.stream(call))).rejects.toSatisfy(InvalidResponseError.isInstance);
      // The next request passes through and succeeds.
      expect((await collect(proxied.stream(call))).at(-1)?.type).toBe('finish');
    });
  });
});

// Last in the file (with the one below): they reset, stall and flood connections, each through its own proxy, so
// nothing after them can be affected by what they leave.
runFaultSuiteOnOwnProxy('the shared fault suite, through a fault proxy of its own in front of llama-server', {
  name: 'adapter-openai against llama-server',
  createTarget: (baseURL) =>
    createOpenAITarget({ baseURL: `${baseURL}/v1`, model: server.model, connections: 2, timeoutMs: 3000 }),
});

runFaultSuiteOnOwnProxy(
  'the shared fault suite, generate() streamed (firstTokenTimeoutMs), through its own fault proxy',
  {
    name: 'adapter-openai against llama-server, generate() streamed',
    createTarget: (baseURL) =>
      createOpenAITarget({
        baseURL: `${baseURL}/v1`,
        model: server.model,
        connections: 2,
        timeoutMs: 3000,
        firstTokenTimeoutMs: 2000,
      }),
  },
);
