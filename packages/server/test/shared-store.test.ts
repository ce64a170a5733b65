import { type OpenAIUpstream, type RedisServer, startOpenAIUpstream, startRedisServer } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, RouterFromConfig } from '../src/index.js';
import { createGateway, createRouterFromConfig, hashApiKey, parseConfig } from '../src/index.js';

describe('gateway replicas sharing a real redis-server through the config store section (in-process replicas)', () => {
  let redis: RedisServer;
  let upstream: OpenAIUpstream;
  const replicas: Array<{ built: RouterFromConfig; gateway: Gateway; url: string }> = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    // One completion token per answer; at $1 per output token and maxTokens 1 every request is estimated at $1.
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['ok'], eventDelayMs: 5 }) });
    const config = parseConfig({
      targets: {
        gpu: {
          adapter: 'openai',
          baseURL: upstream.baseURL,
          model: 'slow',
          price: { inputPer1M: 0, outputPer1M: 1_000_000 },
        },
      },
      policy: { mode: 'remote-only', budget: { maxCostUsd: { amount: 10, period: 'day' } }, execution: { retries: 0 } },
      store: { type: 'redis', url: { env: 'TEST_REDIS_URL' }, keyPrefix: 'gateway-test:' },
    });
    for (let index = 0; index < 2; index++) {
      const built = await createRouterFromConfig(config, { env: { TEST_REDIS_URL: redis.url } });
      // Per-key limits are counted in the same Redis, so the replicas enforce one limit together.
      const gateway = createGateway({
        router: built.router,
        keys: [
          { name: 'shared', sha256: hashApiKey('sk-shared-key-0123456789abcdef'), limits: { requestsPerMinute: 3 } },
          { name: 'free', sha256: hashApiKey('sk-free-key-0123456789abcdef') },
        ],
        ...(built.store ? { store: built.store } : {}),
      });
      replicas.push({ built, gateway, url: await gateway.listen({ port: 0 }) });
    }
  });

  afterAll(async () => {
    for (const { gateway, built } of replicas) {
      await gateway.close({ graceMs: 500 });
      await built.dispose();
    }
    await upstream?.close();
    await redis?.stop();
  });

  it('lets 40 concurrent requests over two replicas spend the $10 day budget once, and answers the rest 429', async () => {
    expect(replicas[0]?.built.store?.kind).toBe('redis');
    const responses = await Promise.all(
      Array.from({ length: 40 }, async (_, index) => {
        const response = await fetch(`${replicas[index % 2]!.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-free-key-0123456789abcdef' },
          body: JSON.stringify({
            model: 'switchyard/auto',
            messages: [{ role: 'user', content: `q${index}` }],
            max_tokens: 1,
          }),
        });
        return {
          status: response.status,
          body: (await response.json()) as { error?: { code?: string; message?: string } },
        };
      }),
    );
    const ok = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 429);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(30);
    expect(refused.every((response) => response.body.error?.code === 'budget_exceeded')).toBe(true);
    expect(refused[0]?.body.error?.message).toContain('the period budget of $10');
    const day = `budget:day:${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
    const store = replicas[1]!.built.store!;
    for (let tries = 0; (await store.readBudget(day)).reservedUsd > 0 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await store.readBudget(day)).toEqual({ spentUsd: 10, reservedUsd: 0 });
  });

  it('enforces one requests-per-minute limit for a key across both replicas', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 6; index++) {
      const response = await fetch(`${replicas[index % 2]!.url}/v1/models`, {
        headers: { authorization: 'Bearer sk-shared-key-0123456789abcdef' },
      });
      statuses.push(response.status);
    }
    // /v1/models is not limited: limits apply to completions only.
    expect(statuses.every((status) => status === 200)).toBe(true);
    const answers: Array<{ status: number; code: string | undefined; retryAfter: string | null }> = [];
    for (let index = 0; index < 6; index++) {
      const response = await fetch(`${replicas[index % 2]!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-shared-key-0123456789abcdef' },
        body: JSON.stringify({ model: 'gpu', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
      });
      const body = (await response.json()) as { error?: { code?: string } };
      answers.push({
        status: response.status,
        code: body.error?.code,
        retryAfter: response.headers.get('retry-after'),
      });
    }
    // The first three pass the key's limit and reach the router, whose day budget the first test spent; the next three
    // are stopped by the key's limit, counted in Redis across both replicas.
    expect(answers.slice(0, 3).map((answer) => answer.code)).toEqual(Array(3).fill('budget_exceeded'));
    expect(answers.slice(3).map((answer) => answer.code)).toEqual(Array(3).fill('rate_limit_exceeded'));
    expect(answers.slice(3).every((answer) => Number(answer.retryAfter) >= 1)).toBe(true);
  });

  it('names the field when the store section is malformed', () => {
    expect(() =>
      parseConfig({
        targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },
        store: {
          type: 'redis',
          url: 'redis://127.0.0.1:6379',
          sentinel: { name: 'x', sentinels: [{ host: 'h', port: 1 }] },
        },
      }),
    ).toThrow(/store: expected exactly one of url, cluster or sentinel/);
    expect(() =>
      parseConfig({
        targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },
        store: { type: 'redis', cluster: { rootNodes: ['http://10.0.0.1:7000'] } },
      }),
    ).toThrow(/store\.cluster\.rootNodes\[0\]: expected a URL like redis:\/\/127\.0\.0\.1:6379/);
  });
});
