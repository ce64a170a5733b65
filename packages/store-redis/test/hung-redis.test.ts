import type { StateStoreEvent } from '@switchyard/contract';
import { type RedisServer, startRedisServer } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStateStore } from '../src/index.js';

const hour = 3_600_000;

describe('a Redis that stops answering (real redis-server, SIGSTOP)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    redis?.resume();
    await redis?.stop();
  });

  it('serves from local state after operationTimeoutMs, does not flap back while Redis is frozen, and shares again after', async () => {
    const store = await createRedisStateStore({ url: redis.url, keyPrefix: 'hung:', operationTimeoutMs: 200 });
    const events: StateStoreEvent['type'][] = [];
    store.subscribe((event) => events.push(event.type));
    const reserve = (reservationId: string) =>
      store.reserveBudget({
        key: 'budget:x',
        reservationId,
        amountUsd: 1,
        limitUsd: 100,
        reservationTtlMs: hour,
        keyTtlMs: hour,
      });
    await reserve('before');
    redis.pause();
    try {
      // The first operation waits out the timeout, then answers from local state; the next ones do not wait.
      expect((await reserve('frozen-1')).granted).toBe(true);
      expect(store.shared).toBe(false);
      expect(events).toEqual(['degraded']);
      for (let index = 0; index < 5; index += 1) {
        expect((await reserve(`frozen-${index + 2}`)).granted).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The connection still looks ready, but a real read is needed before the store trusts Redis again.
      expect(store.shared).toBe(false);
      expect(events).toEqual(['degraded']);
    } finally {
      redis.resume();
    }
    for (let tries = 0; !store.shared && tries < 100; tries += 1) {
      await reserve(`after-${tries}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(store.shared).toBe(true);
    expect(events).toEqual(['degraded', 'restored']);
    await store.close();
  });
  it('counts a settle once when Redis ran it but answered too late (it is replayed after the freeze)', async () => {
    const store = await createRedisStateStore({ url: redis.url, keyPrefix: 'hung-settle:', operationTimeoutMs: 200 });
    const budget = { key: 'budget:x', reservationId: 'answer-1' };
    await store.reserveBudget({ ...budget, amountUsd: 1, limitUsd: 100, reservationTtlMs: hour, keyTtlMs: hour });
    redis.pause();
    try {
      // Sent, then no answer within operationTimeoutMs: recorded locally and queued for Redis.
      await store.settleBudget({ ...budget, actualUsd: 1, keyTtlMs: hour });
      expect(store.shared).toBe(false);
    } finally {
      redis.resume();
    }
    for (let tries = 0; !store.shared && tries < 100; tries += 1) {
      await store.readBudget(budget.key);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(store.shared).toBe(true);
    // Redis ran the first settle when it woke up; the replay found the hold gone and added nothing.
    expect(await store.readBudget(budget.key)).toEqual({ spentUsd: 1, reservedUsd: 0 });
    await store.close();
  });
});
