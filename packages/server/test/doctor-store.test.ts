import {
  freePort,
  type OpenAIUpstream,
  type RedisServer,
  startOpenAIUpstream,
  startRedisServer,
} from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from './cli-helpers.js';

describe('switchyard doctor checks a Redis store (real redis-server; loopback OpenAI-compatible upstream)', () => {
  let redis: RedisServer;
  let upstream: OpenAIUpstream;
  let files: Awaited<ReturnType<typeof tempDir>>;
  const configWith = (url: string) =>
    files.json(`config-${url.replace(/\W/g, '')}.json`, {
      targets: { gpu: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
      store: { type: 'redis', url: { env: 'SY_DOCTOR_REDIS' } },
    });

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['ok'], eventDelayMs: 1 }) });
    files = await tempDir();
  });
  afterAll(async () => {
    await redis?.stop();
    await upstream?.close();
    await files?.remove();
  });

  it('reports a reachable store', async () => {
    const config = await configWith(redis.url);
    const result = await run(['doctor', '--config', config, '--json', '--skip-generate'], {
      env: { ...process.env, SY_DOCTOR_REDIS: redis.url },
    });
    const report = JSON.parse(result.stdout) as { store: { ok: boolean; where: string } };
    expect(report.store).toMatchObject({ type: 'redis', ok: true, where: '$SY_DOCTOR_REDIS' });
  });

  it('fails and says what to fix when Redis does not answer, without printing its password', async () => {
    const url = `redis://:hunter2-secret@127.0.0.1:${await freePort()}`;
    const config = await configWith(url);
    const result = await run(['doctor', '--config', config, '--skip-generate'], {
      env: { ...process.env, SY_DOCTOR_REDIS: url },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL store (redis, $SY_DOCTOR_REDIS): not reachable');
    expect(result.stdout).toContain('replicas would not share budgets or circuits');
    // The verdict comes last and covers the store: not "All targets are ready." above a FAIL line.
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('All targets are ready; the store needs attention.');
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });
});
