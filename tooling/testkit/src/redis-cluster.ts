import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@switchyard/adapter-utils/testing';
import { launchRedis, startRedisGroup } from './redis-server.js';

/** A real Redis Cluster of three primaries (no replicas) on loopback ports, for tests. */
export interface RedisCluster {
  /** `redis://127.0.0.1:<port>` of each node. */
  readonly urls: string[];
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` nodes and joins them with `redis-cli --cluster create` (both from
 * the Debian package `redis-server`), all 16384 slots covered.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster();
 * const store = await createRedisStateStore({ cluster: { rootNodes: cluster.urls.map((url) => ({ url })) } });
 * ```
 */
export function startRedisCluster(): Promise<RedisCluster> {
  return startRedisGroup('switchyard-redis-cluster-', async (dir, children) => {
    const ports: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const port = await freePort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      children.push(
        await launchRedis(
          port,
          ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--save', '', '--appendonly', 'no'],
          nodeDir,
        ),
      );
      ports.push(port);
    }
    await promisify(execFile)(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    // The nodes agree on the slot map a moment after `create` returns.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const { stdout } = await promisify(execFile)('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']);
      if (stdout.includes('cluster_state:ok')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { urls: ports.map((port) => `redis://127.0.0.1:${port}`) };
  });
}
