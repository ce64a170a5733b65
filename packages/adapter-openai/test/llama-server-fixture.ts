import type { TargetCall } from '@switchyard/contract';
import { runTargetFaultConformance, type TargetFaultConformanceOptions } from '@switchyard/contract/testing';
import {
  ensureTinyModel,
  type FaultProxy,
  type LlamaServer,
  startFaultProxy,
  startLlamaServer,
} from '@switchyard/testkit';
import { afterAll, beforeAll, describe } from 'vitest';

/**
 * llama.cpp's own llama-server (built from the source node-llama-cpp ships) on the generated tiny model, 2 slots and
 * 4096 tokens, one per test file. An ES module live binding: set once `useLlamaServer()`'s hook has run, so read it
 * inside tests and hooks, not at import time.
 */
export let server: LlamaServer;

/** Starts `server` before the calling file's tests and stops it after them. */
export function useLlamaServer(): void {
  beforeAll(async () => {
    server = await startLlamaServer({ modelPath: await ensureTinyModel(), parallel: 2, ctxSize: 4096 });
  });
  afterAll(async () => {
    await server?.stop();
  });
}

/** A short greedy, seeded call: the same answer every time on the same server. */
export const call: TargetCall = {
  messages: [{ role: 'user', content: 'Tell me a short story about a train yard.' }],
  maxTokens: 24,
  temperature: 0,
  seed: 1,
};

/**
 * The shared fault suite, in a `describe` of its own, through a fault proxy of its own in front of `server`: the
 * suite resets, stalls and floods connections, and nothing else in the file goes through that proxy.
 */
export function runFaultSuiteOnOwnProxy(title: string, options: Omit<TargetFaultConformanceOptions, 'faults'>): void {
  describe(title, () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy({ upstream: server.origin });
    });
    afterAll(() => proxy?.close());

    runTargetFaultConformance({ ...options, faults: () => proxy });
  });
}
