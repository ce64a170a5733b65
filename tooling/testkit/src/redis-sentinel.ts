import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@switchyard/adapter-utils/testing';
import { launchRedis, startRedisGroup } from './redis-server.js';

/** A real Redis primary watched by one Sentinel, on loopback ports, for tests. */
export interface RedisSentinel {
  /** The master group name the Sentinel monitors. */
  readonly name: string;
  readonly sentinels: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * Starts a `redis-server` primary and a Sentinel (`redis-server <conf> --sentinel`, the same Debian package) that
 * monitors it as master group `mymaster`.
 *
 * @example
 * ```ts
 * const sentinel = await startRedisSentinel();
 * const store = await createRedisStateStore({ sentinel: { name: sentinel.name, sentinels: sentinel.sentinels } });
 * ```
 */
export function startRedisSentinel(): Promise<RedisSentinel> {
  return startRedisGroup('switchyard-redis-sentinel-', async (dir, children) => {
    const primaryPort = await freePort();
    children.push(await launchRedis(primaryPort, ['--save', '', '--appendonly', 'no']));
    const sentinelPort = await freePort();
    // Sentinel rewrites its config file, so it gets its own in a temporary folder.
    const config = join(dir, 'sentinel.conf');
    writeFileSync(
      config,
      [`port ${sentinelPort}`, 'bind 127.0.0.1', `sentinel monitor mymaster 127.0.0.1 ${primaryPort} 1`, ''].join('\n'),
    );
    children.push(await launchRedis(sentinelPort, [config, '--sentinel'], dir));
    return { name: 'mymaster', sentinels: [{ host: '127.0.0.1', port: sentinelPort }] };
  });
}
