import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RedisServer, startRedisServer } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The README's example is run as written against a real redis-server (REDIS_URL), so it cannot drift.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-redis-'));

describe('README example (real redis-server)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares a $2 day budget between two routers on one Redis and refuses the third request', async () => {
    expect(block).toBeDefined();
    const file = join(dir, 'example.ts');
    writeFileSync(file, block!);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.stubEnv('REDIS_URL', redis.url);
    try {
      await import(pathToFileURL(file).href);
      expect(log).toHaveBeenCalledWith('budget-exceeded');
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
