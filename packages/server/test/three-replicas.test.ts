import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRedisStateStore } from '@switchyard/store-redis';
import {
  closedPortURL,
  type OpenAIUpstream,
  type RedisServer,
  startOpenAIUpstream,
  startRedisServer,
} from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/index.js';
import { ensureBuiltCli, tempDir } from './cli-helpers.js';

const teamKey = 'sk-three-replicas-team-0123456789';
const limitedKey = 'sk-three-replicas-limited-0123456789';

interface Replica {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

async function waitFor(condition: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not observed within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('three `switchyard serve` processes sharing one real redis-server (loopback OpenAI-compatible upstream)', () => {
  let redis: RedisServer;
  let upstream: OpenAIUpstream;
  let files: Awaited<ReturnType<typeof tempDir>>;
  const replicas: Replica[] = [];

  const ask = async (replica: Replica, model: string, key = teamKey) => {
    const response = await fetch(`${replica.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
    });
    const body = (await response.json()) as { error?: { code?: string } };
    return { status: response.status, code: body.error?.code };
  };
  const day = () => `budget:day:${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
  const spentInRedis = async () => {
    const store = await createRedisStateStore({ url: redis.url, keyPrefix: 'three:' });
    try {
      return await store.readBudget(day());
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    redis = await startRedisServer({ persist: true });
    // One completion token per answer: at $1 per output token and max_tokens 1, each answer costs (and is estimated) $1.
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['ok'], eventDelayMs: 2 }) });
    files = await tempDir();
    const config = await files.json('switchyard.config.json', {
      targets: {
        gpu: {
          adapter: 'openai',
          baseURL: upstream.baseURL,
          model: 'slow',
          price: { inputPer1M: 0, outputPer1M: 1_000_000 },
        },
        dead: { adapter: 'openai', baseURL: `${await closedPortURL()}/v1`, model: 'gone' },
      },
      policy: {
        mode: 'remote-only',
        budget: { maxCostUsd: { amount: 30, period: 'day' } },
        execution: { retries: 0, circuit: { failureThreshold: 1, windowMs: 60_000, cooldownMs: 60_000 } },
      },
      store: { type: 'redis', url: { env: 'SY_REDIS_URL' }, keyPrefix: 'three:' },
      gateway: {
        keys: [
          { name: 'team', sha256: hashApiKey(teamKey) },
          { name: 'limited', key: { env: 'SY_LIMITED_KEY' }, limits: { requestsPerMinute: 6 } },
        ],
      },
    });
    const cli = await ensureBuiltCli();
    for (let index = 0; index < 3; index++) {
      const child = spawn(process.execPath, [cli, 'serve', '--config', config, '--port', '0'], {
        env: { ...process.env, SY_REDIS_URL: redis.url, SY_LIMITED_KEY: limitedKey },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const url = await new Promise<string>((resolve, reject) => {
        child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
        child.stdout?.on('data', () => {
          const match = /gateway on (http:\/\/\S+)\/v1/.exec(stdout);
          if (match) resolve(match[1]!);
        });
      });
      replicas.push({ child, url, stderr: () => stderr });
    }
  });

  afterAll(async () => {
    for (const { child } of replicas) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await upstream?.close();
    await redis?.stop();
    await files?.remove();
  });

  it('shows a circuit opened on one replica as open on the other two', async () => {
    expect((await ask(replicas[0]!, 'dead')).status).toBeGreaterThanOrEqual(500);
    for (const replica of replicas.slice(1)) {
      await waitFor(async () => {
        const health = (await (await fetch(`${replica.url}/health`)).json()) as {
          targets: Record<string, { circuit?: string }>;
        };
        return health.targets.dead?.circuit === 'open';
      }, 1000);
    }
  });

  it('keeps serving while Redis is down, and writes what was spent meanwhile back when it returns', async () => {
    await redis.kill();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, index) => ask(replicas[index % 3]!, 'gpu')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    await waitFor(() => replicas.every((replica) => replica.stderr().includes('store degraded')), 5000);
    await redis.restart();
    await waitFor(() => replicas.every((replica) => replica.stderr().includes('store restored')), 10_000);
    await waitFor(async () => (await spentInRedis()).spentUsd === 10, 5000);
  });

  it('holds the global day budget under load: 90 concurrent requests over three replicas spend the $20 left once', async () => {
    const answers = await Promise.all(Array.from({ length: 90 }, (_, index) => ask(replicas[index % 3]!, 'gpu')));
    const ok = answers.filter((answer) => answer.status === 200).length;
    expect(answers.filter((answer) => answer.status === 429).every((answer) => answer.code === 'budget_exceeded')).toBe(
      true,
    );
    await waitFor(async () => (await spentInRedis()).reservedUsd === 0, 5000);
    const state = await spentInRedis();
    expect(state.spentUsd).toBe(10 + ok);
    expect(state.spentUsd).toBeLessThanOrEqual(30 + 1);
    expect(ok).toBe(20);
  });

  it('enforces one per-key limit across the three replicas', async () => {
    const answers: Array<{ status: number; code: string | undefined }> = [];
    for (let index = 0; index < 12; index++) answers.push(await ask(replicas[index % 3]!, 'gpu', limitedKey));
    // Six pass the key's limit (and meet the spent budget); six are stopped by it.
    expect(answers.filter((answer) => answer.code === 'rate_limit_exceeded')).toHaveLength(6);
    expect(answers.filter((answer) => answer.code === 'budget_exceeded')).toHaveLength(6);
  });
});
