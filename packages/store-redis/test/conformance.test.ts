import { runStateStoreConformance } from '@switchyard/contract/testing';
import { type RedisServer, startRedisServer } from '@switchyard/testkit';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStateStore } from '../src/index.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

runStateStoreConformance({
  name: 'createRedisStateStore against a real redis-server',
  createStore: () => createRedisStateStore({ url: redis.url }),
  // Another replica: its own connections, the same Redis. Circuit changes must reach it by pub/sub within 1 s.
  createPeer: () => createRedisStateStore({ url: redis.url }),
  propagationMs: 1000,
});
