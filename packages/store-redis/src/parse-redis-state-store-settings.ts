import type { InputProblem } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import type { RedisConnection, RedisStateStoreSettings } from './redis-state-store-settings.js';

/** Settings with defaults applied. */
export interface ParsedRedisStateStoreSettings {
  connection: RedisConnection;
  keyPrefix: string;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  maxReconnectDelayMs: number;
  remoteShareTtlMs: number;
}

/** Checks the settings; bad input is an `InvalidConfigError` naming each field and the fix (never the password). */
export function parseRedisStateStoreSettings(settings: RedisStateStoreSettings): ParsedRedisStateStoreSettings {
  const problems: InputProblem[] = [];
  const given = settings as Partial<Record<'url' | 'cluster' | 'sentinel', unknown>>;
  const shapes = (['url', 'cluster', 'sentinel'] as const).filter((name) => given[name] !== undefined);
  if (shapes.length !== 1) {
    problems.push({
      path: 'store',
      message: `expected exactly one of url, cluster or sentinel, e.g. { url: 'redis://127.0.0.1:6379' }${shapes.length > 1 ? ` (got ${shapes.join(' and ')})` : ''}`,
    });
  }
  if ('url' in settings && settings.url !== undefined && !/^rediss?:\/\//.test(String(settings.url))) {
    problems.push({ path: 'store.url', message: 'expected a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' });
  }
  if ('cluster' in settings && settings.cluster !== undefined) {
    const nodes = settings.cluster.rootNodes;
    if (!Array.isArray(nodes) || nodes.length === 0) {
      problems.push({
        path: 'store.cluster.rootNodes',
        message: "expected at least one node, e.g. [{ url: 'redis://10.0.0.1:7000' }]",
      });
    } else {
      nodes.forEach((node, index) => {
        if (typeof node?.url !== 'string' || !/^rediss?:\/\//.test(node.url)) {
          problems.push({
            path: `store.cluster.rootNodes[${index}].url`,
            message: 'expected a redis:// or rediss:// URL',
          });
        }
      });
    }
  }
  if ('sentinel' in settings && settings.sentinel !== undefined) {
    const sentinel = settings.sentinel;
    if (typeof sentinel.name !== 'string' || sentinel.name === '') {
      problems.push({
        path: 'store.sentinel.name',
        message: 'expected the master group name Sentinel monitors, e.g. "mymaster"',
      });
    }
    if (!Array.isArray(sentinel.sentinels) || sentinel.sentinels.length === 0) {
      problems.push({
        path: 'store.sentinel.sentinels',
        message: "expected at least one sentinel, e.g. [{ host: '10.0.0.1', port: 26379 }]",
      });
    }
  }
  const positive = (name: keyof RedisStateStoreSettings, fallback: number): number => {
    const value = settings[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      problems.push({ path: `store.${name}`, message: 'expected a positive number of milliseconds' });
      return fallback;
    }
    return value;
  };
  const parsed = {
    connection: settings as RedisConnection,
    keyPrefix: settings.keyPrefix ?? 'switchyard:',
    connectTimeoutMs: positive('connectTimeoutMs', 2000),
    operationTimeoutMs: positive('operationTimeoutMs', 1000),
    maxReconnectDelayMs: positive('maxReconnectDelayMs', 1000),
    remoteShareTtlMs: positive('remoteShareTtlMs', 86_400_000),
  };
  if (problems.length > 0) throw new InvalidConfigError({ problems });
  return parsed;
}
