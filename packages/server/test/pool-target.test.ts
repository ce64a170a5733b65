import type { PoolTarget } from '@switchyard/adapter-utils';
import { type OpenAIUpstream, startOpenAIUpstream } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, RouterFromConfig } from '../src/index.js';
import { createGateway, createRouterFromConfig, parseConfig } from '../src/index.js';

describe('one target over three upstream replicas (baseURL list; loopback OpenAI-compatible upstreams)', () => {
  const upstreams: Array<OpenAIUpstream> = [];
  let built: RouterFromConfig;
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    for (let index = 0; index < 3; index++)
      upstreams.push(await startOpenAIUpstream({ answer: () => ({ words: ['a', 'b', 'c'], eventDelayMs: 10 }) }));
    const config = parseConfig({
      targets: { gpu: { adapter: 'openai', baseURL: upstreams.map((upstream) => upstream.baseURL), model: 'slow' } },
      policy: { mode: 'remote-only' },
    });
    built = await createRouterFromConfig(config);
    gateway = createGateway({ router: built.router });
    url = await gateway.listen({ port: 0 });
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 200 });
    await built?.dispose();
    for (const upstream of upstreams) await upstream.close().catch(() => undefined);
  });

  const ask = async (index: number) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpu', messages: [{ role: 'user', content: `question ${index}` }], max_tokens: 3 }),
    });
    return { status: response.status, text: await response.text() };
  };

  it('spreads load over the replicas and fails no request when one is killed mid-load', async () => {
    const pool = built.targets.gpu as PoolTarget;
    const statuses: number[] = [];
    const wave = async (from: number) => {
      const answers = await Promise.all(Array.from({ length: 15 }, (_, index) => ask(from + index)));
      statuses.push(...answers.map((answer) => answer.status));
    };
    for (let index = 0; index < 4; index++) await wave(index * 15);
    const before = pool.replicaStats();
    const spread = Object.values(before).map((stats) => stats.requests);
    expect(spread.reduce((sum, count) => sum + count, 0)).toBe(60);
    // Every replica took a share (conversations differ, so stickiness spreads them too).
    expect(Math.min(...spread)).toBeGreaterThanOrEqual(10);

    // Kill one replica while a wave is in flight: its open requests are cut and its port refuses from then on.
    const inFlight = wave(60);
    await new Promise((resolve) => setTimeout(resolve, 15));
    await upstreams[1]!.close();
    await inFlight;
    for (let index = 5; index < 10; index++) await wave(index * 15);
    expect(statuses).toHaveLength(150);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const after = pool.replicaStats();
    const killed = Object.keys(after)[1]!;
    expect(after[killed]?.state).not.toBe('in');
    console.info(
      `[pool] requests per replica before the kill ${spread.join('/')}, after ${Object.values(after)
        .map((stats) => stats.requests)
        .join('/')}`,
    );
  });
});
