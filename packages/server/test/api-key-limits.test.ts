import { type OpenAIUpstream, startOpenAIUpstream } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, RouterFromConfig } from '../src/index.js';
import { apiKeysFromConfig, createGateway, createRouterFromConfig, hashApiKey, parseConfig } from '../src/index.js';

const keyA = 'sk-team-a-0123456789abcdef0123456789';
const keyB = 'sk-team-b-0123456789abcdef0123456789';
const keyC = 'sk-team-c-0123456789abcdef0123456789';
const keyD = 'sk-team-d-0123456789abcdef0123456789';

describe('gateway API keys and per-key limits (loopback OpenAI-compatible upstream)', () => {
  let upstream: OpenAIUpstream;
  let built: RouterFromConfig;
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    // Every answer: 3 prompt tokens + 1 completion token; at $1 per output token each costs $1.
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['ok'], eventDelayMs: 1 }), promptTokens: 3 });
    const config = parseConfig({
      targets: {
        gpu: {
          adapter: 'openai',
          baseURL: upstream.baseURL,
          model: 'slow',
          price: { inputPer1M: 0, outputPer1M: 1_000_000 },
        },
      },
      policy: { mode: 'remote-only', execution: { retries: 0 } },
      gateway: {
        keys: [
          { name: 'team-a', sha256: hashApiKey(keyA), limits: { requestsPerMinute: 2 } },
          { name: 'team-b', key: { env: 'TEAM_B_KEY' }, limits: { tokensPerMinute: 5 } },
          { name: 'team-c', key: keyC },
          { name: 'team-d', key: keyD, limits: { spendPerDayUsd: 1 } },
        ],
      },
    });
    const keys = apiKeysFromConfig(config, { TEAM_B_KEY: keyB });
    // Only digests are kept.
    expect(JSON.stringify(keys)).not.toContain('sk-team');
    built = await createRouterFromConfig(config);
    gateway = createGateway({ router: built.router, keys });
    url = await gateway.listen({ port: 0 });
  });

  afterAll(async () => {
    await gateway?.close({ graceMs: 500 });
    await built?.dispose();
    await upstream?.close();
  });

  const ask = async (key: string, stream = false) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: 'switchyard/auto',
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: 1,
        stream,
      }),
    });
    const text = await response.text();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), text };
  };

  it('answers 401 to a wrong key, even one that shares a long prefix with a real key', async () => {
    expect((await ask(`${keyA.slice(0, -1)}x`)).status).toBe(401);
    expect((await ask('')).status).toBe(401);
    const models = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${keyC}` } });
    expect(models.status).toBe(200);
  });

  it('limits requests per minute with 429 and Retry-After', async () => {
    expect((await ask(keyA)).status).toBe(200);
    expect((await ask(keyA, true)).status).toBe(200);
    const refused = await ask(keyA);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
    expect(JSON.parse(refused.text).error.message).toContain('API key "team-a": 2 requests per minute');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    // Another key is not affected.
    expect((await ask(keyC)).status).toBe(200);
  });

  it('limits tokens per minute from what answers used (streamed ones too)', async () => {
    expect((await ask(keyB, true)).status).toBe(200); // 4 tokens
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await ask(keyB)).status).toBe(200); // 4 < 5 when admitted; 8 after
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await ask(keyB);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('5 tokens per minute');
  });

  it('limits spend per UTC day, retrying after midnight', async () => {
    expect((await ask(keyD)).status).toBe(200); // $1
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await ask(keyD);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('$1 per day');
    const untilMidnight = Math.ceil(
      (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) /
        1000,
    );
    expect(Math.abs(Number(refused.retryAfter) - untilMidnight)).toBeLessThanOrEqual(2);
  });

  it('names the entry when a key config is malformed', () => {
    expect(() =>
      parseConfig({
        targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },
        gateway: { keys: [{ name: 'x', sha256: 'abc' }] },
      }),
    ).toThrow(/gateway\.keys\[0\]\.sha256: expected 64 hex characters/);
    const config = parseConfig({
      targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },
      gateway: { keys: [{ name: 'x', key: { env: 'UNSET_KEY_VAR' } }] },
    });
    expect(() => apiKeysFromConfig(config, {})).toThrow(/gateway\.keys\[0\]\.key: the environment variable/);
  });
});
