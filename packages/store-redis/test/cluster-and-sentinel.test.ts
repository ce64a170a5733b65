import { runStateStoreConformance } from '@switchyard/contract/testing';
import { type RedisCluster, type RedisSentinel, startRedisCluster, startRedisSentinel } from '@switchyard/testkit';
import { afterAll, beforeAll } from 'vitest';
import { createRedisStateStore } from '../src/index.js';

let cluster: RedisCluster;
let sentinel: RedisSentinel;
beforeAll(async () => {
  cluster = await startRedisCluster();
  sentinel = await startRedisSentinel();
});
afterAll(async () => {
  await cluster?.stop();
  await sentinel?.stop();
});

// Each replica enters the cluster through a different node: keys live on all three, scripts run where their key is.
runStateStoreConformance({
  name: 'createRedisStateStore against a real three-node Redis Cluster',
  createStore: () => createRedisStateStore({ cluster: { rootNodes: [{ url: cluster.urls[0]! }] } }),
  createPeer: () => createRedisStateStore({ cluster: { rootNodes: [{ url: cluster.urls[1]! }] } }),
});

runStateStoreConformance({
  name: 'createRedisStateStore through a real Redis Sentinel',
  createStore: () => createRedisStateStore({ sentinel: { name: sentinel.name, sentinels: sentinel.sentinels } }),
  createPeer: () => createRedisStateStore({ sentinel: { name: sentinel.name, sentinels: sentinel.sentinels } }),
});
