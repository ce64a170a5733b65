/**
 * Load with faults: 1,000 concurrent streaming requests through the router, and 1,000 through the gateway, while
 * ~20% of upstream attempts are faulted by the testkit proxy (resets, 5xx, 429, malformed SSE, a missing `[DONE]`,
 * truncation, hangs). The upstream is a fast, protocol-faithful node:http SSE server, not llama-server: two cores
 * cannot run a real model for 1,000 streams. Every request must be accounted for — the complete answer exactly once
 * or one typed error — with no unhandled rejections, and sockets, queue slots, timers and memory back to baseline.
 */
import { createOpenAITarget, type OpenAITarget } from '@switchyard/adapter-openai';
import { StreamInterruptedError, SwitchyardError } from '@switchyard/contract';
import { createRouter, type PolicyInput, type Router } from '@switchyard/core';
import { createGateway } from '@switchyard/server';
import {
  createSeededRandom,
  type Fault,
  type FaultProxy,
  type OpenAIUpstream,
  startFaultProxy,
  startOpenAIUpstream,
} from '@switchyard/testkit';
import { Agent, request as httpRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain, eventually, visibleText } from './support/drain.js';
import { activeResources, settledHeapBytes, watchUnhandledRejections } from './support/leaks.js';

const concurrency = 1_000;
const words = ['Signals', ' are', ' green', ' on', ' track', ' nine', ' and', ' ten.'];
const answer = words.join('');
const deadlineMs = 20_000;
/** Hang guard per test: the work is 1,000 streams plus GC and baseline checks, slow on a loaded machine. */
const testTimeoutMs = 120_000;

/** Outcomes by kind (Object.groupBy needs Node 21). */
function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const faultKinds: Fault[] = [
  { type: 'reset-after-events', events: 3 },
  { type: 'status', status: 503 },
  { type: 'status', status: 500 },
  { type: 'status', status: 429, retryAfter: 0 },
  { type: 'malformed-sse', afterEvents: 2 },
  { type: 'drop-done' },
  { type: 'end-after-events', events: 4 },
  { type: 'hang' },
];

/** One fault (or none) per upcoming upstream attempt: ~20% faulted. */
function faultPlan(count: number, seed: number): (Fault | null)[] {
  const random = createSeededRandom(seed); // replayable from the seed
  return Array.from({ length: count }, () =>
    random() < 0.2 ? faultKinds[Math.floor(random() * faultKinds.length)]! : null,
  );
}

const policy: PolicyInput = {
  mode: 'prefer-remote',
  execution: {
    retries: 1,
    backoff: { initialMs: 5, maxMs: 20, factor: 2 },
    // Bounds the 'hang' fault. Generous: with 1,000 streams in one process on a busy 2-core machine a healthy first
    // token can take seconds; 4 s once turned slow answers into spurious failovers (585 of 1,000 answered).
    firstTokenTimeoutMs: 8_000,
    // The load is about faults, not the breaker: keep circuits closed so every request exercises failover.
    circuit: { enabled: false },
  },
};

describe('load with faults', () => {
  let upstream: OpenAIUpstream;
  let proxy: FaultProxy;
  let agent: Agent;
  let gpu: OpenAITarget;
  let cloud: OpenAITarget;
  let baselineTimeouts: number;
  let baselineHeap: number;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream({ continueFinalMessage: true, answer: () => ({ words }) });
    proxy = await startFaultProxy({ upstream: upstream.url });
    baselineTimeouts = activeResources('Timeout');
    baselineHeap = await settledHeapBytes();
  });

  function targets(): void {
    agent = new Agent({ connections: 256, keepAliveTimeout: 1_000 });
    const common = {
      baseURL: `${proxy.url}/v1`,
      model: 'stand-in',
      dispatcher: agent,
      capabilities: { continuation: true },
    };
    gpu = createOpenAITarget({ ...common, id: 'gpu' });
    cloud = createOpenAITarget({ ...common, id: 'cloud' });
  }

  async function expectBackToBaseline(router: Router): Promise<void> {
    expect(Object.values(router.stats()).map((stats) => [stats.inFlight, stats.queueDepth])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    await router.dispose();
    await agent.close();
    expect(await eventually(() => proxy.openConnections() === 0)).toBe(true);
    // (The proxy's own keep-alive pool to the upstream is the fixture's, not the router's, so it is not counted.)
    // Per-request timers (deadlines, first-token timeouts, backoff) are all cleared.
    expect(await eventually(() => activeResources('Timeout') <= baselineTimeouts)).toBe(true);
    proxy.clearRequests();
    const heap = await settledHeapBytes();
    // Near baseline: a leak of even a few KB per request would show as tens of MB here.
    expect(heap - baselineHeap).toBeLessThan(48 * 1024 * 1024);
  }

  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
  });

  it(
    'router, fast stand-in upstream: 1,000 concurrent streams with ~20% faulted attempts are all accounted for',
    async () => {
      targets();
      const router = createRouter({ targets: { gpu, cloud }, policy });
      proxy.queueFaults(...faultPlan(concurrency * 2, 20_24));
      const unhandled = watchUnhandledRejections();
      const outcomes = await Promise.all(
        Array.from({ length: concurrency }, async (_, index) => {
          const outcome = await drain(
            router.stream({
              messages: [{ role: 'user', content: `Status of track ${index}?` }],
              maxTokens: 16,
              routing: { deadlineMs },
            }),
          );
          if (outcome.error) {
            return {
              kind: SwitchyardError.isInstance(outcome.error) ? 'typed-error' : 'untyped-error',
              elapsedMs: outcome.elapsedMs,
            };
          }
          const finishes = outcome.parts.filter((part) => part.type === 'finish').length;
          const complete = finishes === 1 && visibleText(outcome.parts) === answer;
          return { kind: complete ? 'answer' : 'wrong-answer', elapsedMs: outcome.elapsedMs };
        }),
      );
      unhandled.stop();
      const faulted = proxy.requests.filter((entry) => entry.fault !== null).length;
      const counts = countBy(outcomes, (outcome) => outcome.kind);
      expect(outcomes).toHaveLength(concurrency);
      expect(Object.keys(counts).filter((kind) => kind !== 'answer' && kind !== 'typed-error')).toEqual([]);
      // Faults really happened, and failover turned most of them into answers.
      expect(faulted).toBeGreaterThan(concurrency * 0.1);
      expect(counts.answer ?? 0).toBeGreaterThan(concurrency * 0.9);
      expect(outcomes.every((outcome) => outcome.elapsedMs < deadlineMs + 2_000)).toBe(true);
      expect(unhandled.reasons).toEqual([]);
      await expectBackToBaseline(router);
    },
    testTimeoutMs,
  );

  it(
    'router, default target settings: 500 concurrent streams with ~20% faulted attempts are each exact or a typed error, never repeated',
    async () => {
      // gpu: a stand-in that identifies as llama.cpp's server (continuation detected); cloud: one without identity
      // (cannot continue). No capabilities anywhere: what a new user configures.
      const continuing = await startOpenAIUpstream({
        continueFinalMessage: true,
        answer: () => ({ words }),
        identity: 'llama.cpp',
      });
      const plain = await startOpenAIUpstream({ continueFinalMessage: true, answer: () => ({ words }) });
      const gpuProxy = await startFaultProxy({ upstream: continuing.url });
      const cloudProxy = await startFaultProxy({ upstream: plain.url });
      const ownAgent = new Agent({ connections: 256, keepAliveTimeout: 1_000 });
      const defaultGpu = createOpenAITarget({
        baseURL: `${gpuProxy.url}/v1`,
        model: 'm',
        id: 'gpu',
        dispatcher: ownAgent,
      });
      const defaultCloud = createOpenAITarget({
        baseURL: `${cloudProxy.url}/v1`,
        model: 'm',
        id: 'cloud',
        dispatcher: ownAgent,
      });
      // A gateway checks its targets at start-up; here that runs the one-time detection before any fault is queued.
      await Promise.all([defaultGpu.checkStatus?.(), defaultCloud.checkStatus?.()]);
      expect([defaultGpu.capabilities.continuation, defaultCloud.capabilities.continuation]).toEqual([true, false]);
      const router = createRouter({ targets: { gpu: defaultGpu, cloud: defaultCloud }, policy });
      const streams = 500;
      gpuProxy.queueFaults(...faultPlan(streams * 2, 60_16));
      cloudProxy.queueFaults(...faultPlan(streams * 2, 70_16));
      const unhandled = watchUnhandledRejections();
      const outcomes = await Promise.all(
        Array.from({ length: streams }, async (_, index) => {
          const outcome = await drain(
            router.stream({
              messages: [{ role: 'user', content: `Status of track ${index}?` }],
              maxTokens: 16,
              routing: { deadlineMs },
            }),
          );
          // The consumer most apps are: concatenate every text-delta, never retract anything.
          let shown = '';
          for (const part of outcome.parts) if (part.type === 'text-delta') shown += part.text;
          if (outcome.parts.some((part) => part.type === 'failover' && part.mode === 'restart')) return 'restarted';
          if (outcome.error) {
            if (!SwitchyardError.isInstance(outcome.error)) return 'untyped-error';
            if (!answer.startsWith(shown)) return 'repeated-or-wrong-before-error';
            if (StreamInterruptedError.isInstance(outcome.error)) {
              return outcome.error.partialText === shown ? 'interrupted' : 'interrupted-wrong-partial';
            }
            return shown === '' ? 'typed-error' : 'text-then-untyped-interruption';
          }
          return shown === answer ? 'exact' : 'repeated-or-wrong';
        }),
      );
      unhandled.stop();
      const counts = countBy(outcomes, (outcome) => outcome);
      const faulted = [...gpuProxy.requests, ...cloudProxy.requests].filter((entry) => entry.fault !== null).length;
      expect(Object.keys(counts).filter((kind) => !['exact', 'interrupted', 'typed-error'].includes(kind))).toEqual([]);
      expect(faulted).toBeGreaterThan(streams * 0.1);
      // Mid-stream faults on the continuing gpu are carried on there: most streams are still exact.
      expect(counts.exact ?? 0).toBeGreaterThan(streams * 0.8);
      expect(unhandled.reasons).toEqual([]);
      console.log(`default settings, ${streams} streams, ${faulted} faulted attempts:`, counts);
      await router.dispose();
      await ownAgent.close();
      await Promise.all([gpuProxy.close(), cloudProxy.close(), continuing.close(), plain.close()]);
    },
    testTimeoutMs,
  );

  it(
    'gateway, fast stand-in upstream: 1,000 concurrent streaming HTTP requests with ~20% faulted attempts are all accounted for',
    async () => {
      targets();
      const router = createRouter({ targets: { gpu, cloud }, policy });
      const gateway = createGateway({ router, authToken: 'gateway-load-token' });
      const url = await gateway.listen({ port: 0 });
      const clients = new Agent({ connections: concurrency, keepAliveTimeout: 1_000 });
      proxy.queueFaults(...faultPlan(concurrency * 2, 40_48));
      const unhandled = watchUnhandledRejections();
      const outcomes = await Promise.all(
        Array.from({ length: concurrency }, async (_, index) => {
          const response = await httpRequest(`${url}/v1/chat/completions`, {
            method: 'POST',
            dispatcher: clients,
            headers: { 'content-type': 'application/json', authorization: 'Bearer gateway-load-token' },
            body: JSON.stringify({
              model: 'switchyard/auto',
              stream: true,
              max_tokens: 16,
              messages: [{ role: 'user', content: `Status of track ${index}?` }],
              switchyard: { deadlineMs },
            }),
          });
          const raw = await response.body.text();
          if (response.statusCode !== 200) {
            const error = (JSON.parse(raw) as { error?: { code?: unknown } }).error;
            return error && typeof error.code === 'string' ? 'typed-error' : 'untyped-error';
          }
          let text = '';
          let typedError = false;
          for (const line of raw.split('\n')) {
            if (!line.startsWith('data: {')) continue;
            const data = JSON.parse(line.slice(6)) as {
              error?: { code?: string };
              choices?: { delta?: { content?: string } }[];
            };
            if (data.error) typedError = typeof data.error.code === 'string';
            text += data.choices?.[0]?.delta?.content ?? '';
          }
          if (typedError) return 'typed-error';
          return raw.includes('data: [DONE]') && text === answer ? 'answer' : 'wrong-answer';
        }),
      );
      unhandled.stop();
      const counts = countBy(outcomes, (outcome) => outcome);
      expect(outcomes).toHaveLength(concurrency);
      expect(Object.keys(counts).filter((kind) => kind !== 'answer' && kind !== 'typed-error')).toEqual([]);
      expect(counts.answer ?? 0).toBeGreaterThan(concurrency * 0.9);
      expect(unhandled.reasons).toEqual([]);
      await clients.close();
      await gateway.close({ graceMs: 1_000 });
      await expectBackToBaseline(router);
    },
    testTimeoutMs,
  );
});
