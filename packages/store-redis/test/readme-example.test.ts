import { ReadmeExamples, type RedisServer, startRedisServer } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The README's example is run as written against a real redis-server (REDIS_URL), so it cannot drift.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url));

describe('README example (real redis-server)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
    examples.dispose();
  });

  it('shares a $2 day budget between two routers on one Redis and refuses the third request', async () => {
    vi.stubEnv('REDIS_URL', redis.url);
    try {
      const { logged } = await examples.run('example', examples.block('## Example'));
      expect(logged).toContainEqual(['budget-exceeded']);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
