/**
 * Abort storms: requests cancelled at every point — before they start, while queued for the local model, while
 * connecting, mid-stream, and while a hedge is racing — end with `AbortError`, and leave no queue slots, in-flight
 * counts, sockets or timers behind. The local target is node-llama-cpp on the tiny model; the remote targets are
 * the fault proxy in front of a fast SSE stand-in (slowed per event so there is a "mid-stream" to cut).
 */
import { createLlamaCppTarget, type LlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { AbortError, type GenerateRequest, type Target } from '@switchyard/contract';
import { createRouter, type PolicyInput, type Router } from '@switchyard/core';
import {
  ensureTinyModel,
  type FaultProxy,
  type OpenAIUpstream,
  startFaultProxy,
  startOpenAIUpstream,
} from '@switchyard/testkit';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drain, eventually, settle } from './support/drain.js';
import { activeResources, watchUnhandledRejections } from './support/leaks.js';
import { closeAll } from './support/teardown.js';

const words = Array.from({ length: 30 }, (_, index) => ` w${index}`);

describe('abort storms', () => {
  let upstream: OpenAIUpstream;
  let proxy: FaultProxy;
  let device: LlamaCppTarget;
  let agent: Agent;
  let router: Router | undefined;
  let baselineTimeouts: number;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream({ continueFinalMessage: true, answer: () => ({ words, eventDelayMs: 5 }) });
    proxy = await startFaultProxy({ upstream: upstream.url });
    device = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      id: 'device',
      threads: 1,
      gpu: false,
      contextSize: 1024,
    });
    await device.load();
    baselineTimeouts = activeResources('Timeout');
  });

  afterEach(async () => {
    proxy.setFault(null);
    if (router) {
      expect(
        await eventually(() =>
          Object.values(router!.stats()).every((stats) => stats.inFlight === 0 && stats.queueDepth === 0),
        ),
      ).toBe(true);
      await router.dispose();
      router = undefined;
    }
    if (agent) {
      await agent.close();
      expect(await eventually(() => proxy.openConnections() === 0)).toBe(true);
    }
    expect(await eventually(() => activeResources('Timeout') <= baselineTimeouts)).toBe(true);
    // The local model's own queue is free too: a fresh call runs at once.
    const check = await device.generate({ messages: [{ role: 'user', content: 'ok?' }], maxTokens: 2 });
    expect(check.finishReason).toBeDefined();
  });

  afterAll(async () => {
    await closeAll([
      ['the device target', device && (() => device.dispose())],
      ['the fault proxy', proxy && (() => proxy.close())],
      ['the upstream', upstream && (() => upstream.close())],
    ]);
  });

  function build(policy: PolicyInput): Router {
    agent = new Agent({ connections: 64, keepAliveTimeout: 1_000 });
    const remote = (id: string): Target =>
      createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: 'stand-in', id, dispatcher: agent });
    router = createRouter({ targets: { device, gpu: remote('gpu'), cloud: remote('cloud') }, policy });
    return router;
  }

  function request(signal: AbortSignal, content = 'Tell me about rail yards'): GenerateRequest {
    return { messages: [{ role: 'user', content }], maxTokens: 200, temperature: 0, signal };
  }

  function expectAbort(error: unknown): void {
    expect(AbortError.isInstance(error)).toBe(true);
  }

  it('an already-aborted signal ends the request with AbortError before any target is called', async () => {
    const routerUnderTest = build({ mode: 'prefer-remote' });
    proxy.clearRequests();
    const controller = new AbortController();
    controller.abort();
    expectAbort((await settle(routerUnderTest.generate(request(controller.signal)))).error);
    expectAbort((await drain(routerUnderTest.stream(request(controller.signal)))).error);
    expect(proxy.requests).toHaveLength(0);
  });

  it('a request aborted while queued for the local model frees its queue slot; the running one finishes', async () => {
    const routerUnderTest = build({ mode: 'local-only', targets: { device: { concurrency: 1, maxQueue: 4 } } });
    const running = routerUnderTest.generate(request(new AbortController().signal));
    const controller = new AbortController();
    const queued = settle(routerUnderTest.generate(request(controller.signal, 'second')));
    expect(await eventually(() => routerUnderTest.stats().device!.queueDepth === 1, 5_000)).toBe(true);
    controller.abort();
    expectAbort((await queued).error);
    expect(routerUnderTest.stats().device!.queueDepth).toBe(0);
    expect((await running).route.target).toBe('device');
  });

  it('a request aborted while connecting (the upstream hangs) ends with AbortError and closes the socket', async () => {
    const routerUnderTest = build({ mode: 'remote-only' });
    proxy.setFault({ type: 'hang' });
    const controller = new AbortController();
    const pending = settle(routerUnderTest.generate(request(controller.signal)));
    expect(await eventually(() => proxy.requests.some((entry) => entry.fault?.type === 'hang'))).toBe(true);
    controller.abort();
    expectAbort((await pending).error);
    // The hung connection is closed by the abort itself, not later by the agent's shutdown.
    expect(await eventually(() => proxy.openConnections() === 0)).toBe(true);
  });

  it('a stream aborted mid-way ends with AbortError and no finish', async () => {
    const routerUnderTest = build({ mode: 'remote-only' });
    const controller = new AbortController();
    let deltas = 0;
    const outcome = await drain(routerUnderTest.stream(request(controller.signal)), (part) => {
      if (part.type === 'text-delta' && ++deltas === 3) controller.abort();
    });
    expectAbort(outcome.error);
    expect(outcome.parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('a request aborted while a hedge is racing cancels both attempts', async () => {
    const routerUnderTest = build({ mode: 'prefer-remote', execution: { hedgeAfterMs: 20 } });
    proxy.queueFaults({ type: 'hang' }, { type: 'delay-first-byte', ms: 5_000 });
    const controller = new AbortController();
    const hedges: string[] = [];
    routerUnderTest.on('hedge', (event) => hedges.push(event.secondary));
    const pending = settle(routerUnderTest.generate(request(controller.signal)));
    expect(await eventually(() => hedges.length === 1 && proxy.requests.length >= 2)).toBe(true);
    controller.abort();
    expectAbort((await pending).error);
    // Both racing connections (the hung primary and the delayed hedge) are closed by the abort.
    expect(await eventually(() => proxy.openConnections() === 0)).toBe(true);
  });

  it('a storm of 300 requests aborted at random points leaves nothing behind', async () => {
    const routerUnderTest = build({
      mode: 'auto',
      targets: { device: { concurrency: 1, maxQueue: 8 } },
      execution: { hedgeAfterMs: 15, retries: 1, backoff: { initialMs: 5, maxMs: 10, factor: 2 } },
    });
    // Some upstream attempts are slow or hang, so aborts land while connecting and during hedges too.
    proxy.queueFaults(
      ...Array.from({ length: 600 }, (_, index) =>
        index % 7 === 0
          ? { type: 'hang' as const }
          : index % 5 === 0
            ? { type: 'delay-first-byte' as const, ms: 30 }
            : null,
      ),
    );
    const unhandled = watchUnhandledRejections();
    let random = 7;
    const next = () => {
      random = (random * 48_271) % 2_147_483_647;
      return random / 2_147_483_647;
    };
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, async (_, index) => {
        const controller = new AbortController();
        const delay = Math.floor(next() * 80);
        const timer = setTimeout(() => controller.abort(), delay);
        const outcome =
          index % 2 === 0
            ? await settle(routerUnderTest.generate(request(controller.signal, `storm ${index}`)))
            : await drain(routerUnderTest.stream(request(controller.signal, `storm ${index}`)));
        clearTimeout(timer);
        return outcome.error === undefined
          ? 'answer'
          : AbortError.isInstance(outcome.error)
            ? 'aborted'
            : 'other-error';
      }),
    );
    unhandled.stop();
    expect(outcomes).toHaveLength(300);
    expect(outcomes.filter((kind) => kind === 'other-error')).toEqual([]);
    expect(outcomes.filter((kind) => kind === 'aborted').length).toBeGreaterThan(100);
    expect(unhandled.reasons).toEqual([]);
  });
});
