/**
 * `@switchyard/store-redis`: a `StateStore` on Redis or Valkey (standalone, Cluster, Sentinel) for router and gateway
 * replicas that must share budgets, circuits, rate limits and the remote-share window. Atomic by Lua scripts, circuit
 * changes by pub/sub, and local state while Redis is away.
 */
export type { RedisStateStore } from './create-redis-state-store.js';
export { createRedisStateStore } from './create-redis-state-store.js';
export type { RedisConnection, RedisStateStoreSettings } from './redis-state-store-settings.js';
