import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, freePort, launchRedis } from './redis-server.js';

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
export async function startRedisSentinel(): Promise<RedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-sentinel-'));
  const children: ChildProcess[] = [];
  try {
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
    return {
      name: 'mymaster',
      sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
      async stop() {
        for (const child of children) child.kill('SIGTERM');
        await Promise.all(children.map(exited));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
