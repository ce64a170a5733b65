import type { GenerateRequest } from '@switchyard/contract';
import { createScriptedTarget } from '@switchyard/core/testing';
import { type RedisServer, startRedisServer } from '@switchyard/testkit';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStateStore, type RedisStateStore } from '../../src/index.js';
import type { RedisStateStoreSettings } from '../../src/redis-state-store-settings.js';

/** A one-token request: with {@link paid}'s price its estimate is $1. */
export const ask = (content: string): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 1 });

/** A scripted stand-in for a paid endpoint: $1 per output token, input free, one token per answer unless told. */
export const paid = (outputTokens: (index: number) => number = () => 1) =>
  createScriptedTarget({
    locality: 'remote',
    capabilities: { price: { inputPer1M: 0, outputPer1M: 1_000_000 } },
    script: (_call, index) => ({
      text: 'ok',
      chunkDelayMs: 1,
      usage: { inputTokens: 1, outputTokens: outputTokens(index) },
    }),
  });

/** The store key of today's day budget. */
export const dayKey = () => `budget:day:${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;

/** Polls `condition` every 10 ms until it holds; a hang guard, not a duration check. */
export async function waitFor(condition: () => boolean | Promise<boolean>, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not observed within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Starts a real `redis-server` (append-only file, so a kill loses nothing it acknowledged) for the file's tests and
 * stops it after them; `replica(prefix)` is one replica's store on it, closed after the tests.
 */
export function useRedisReplicas(settings: Partial<RedisStateStoreSettings> = {}) {
  let redis: RedisServer | undefined;
  const stores: RedisStateStore[] = [];
  beforeAll(async () => {
    redis = await startRedisServer({ persist: true });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await redis?.stop();
  });
  const server = () => {
    if (redis === undefined) throw new Error('redis-server is not started yet (use it inside a test)');
    return redis;
  };
  return {
    server,
    async replica(keyPrefix: string): Promise<RedisStateStore> {
      const store = await createRedisStateStore({
        ...settings,
        url: server().url,
        keyPrefix,
      } as RedisStateStoreSettings);
      stores.push(store);
      return store;
    },
  };
}
