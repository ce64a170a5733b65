import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, RequestLogEntry, RouterFromConfig } from '../src/index.js';
import { createGateway, createRouterFromConfig, parseConfig } from '../src/index.js';

const upstreamScript = join(dirname(fileURLToPath(import.meta.url)), '../../../tooling/bench/src/upstream.mjs');
// The upstream answers "Hello from the bench." (21 characters): the router estimates 6 output tokens.
const estimatedOutputTokens = 6;

describe('gateway over the bench loopback upstream, which reports no usage (model no-usage)', () => {
  let upstream: ChildProcess;
  let built: RouterFromConfig;
  let gateway: Gateway;
  let client: OpenAI;
  let gatewayUrl: string;
  const logged: RequestLogEntry[] = [];

  beforeAll(async () => {
    upstream = fork(upstreamScript, [], { stdio: 'ignore' });
    const upstreamUrl = await new Promise<string>((resolve) =>
      upstream.once('message', (message) => resolve((message as { url: string }).url)),
    );
    const config = parseConfig({
      targets: {
        gpu: {
          adapter: 'openai',
          baseURL: `${upstreamUrl}/v1`,
          model: 'no-usage',
          price: { inputPer1M: 1, outputPer1M: 2 },
        },
      },
      policy: { mode: 'remote-only', execution: { retries: 0 } },
    });
    built = await createRouterFromConfig(config);
    gateway = createGateway({ router: built.router, logger: { info: (entry) => logged.push(entry) } });
    const url = await gateway.listen({ port: 0 });
    gatewayUrl = url;
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 30_000 });
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 1000 });
    await built?.dispose();
    upstream?.kill();
  });

  it('answers a whole completion with the router’s estimated usage, and says it is estimated', async () => {
    const completion = await client.chat.completions.create({
      model: 'switchyard/auto',
      messages: [{ role: 'user', content: 'How are the signals?' }],
      max_tokens: 8,
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the bench.');
    const usage = completion.usage!;
    expect(usage.completion_tokens).toBe(estimatedOutputTokens);
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    const route = (completion as unknown as { switchyard: { usageEstimated?: boolean; costUsd: number } }).switchyard;
    expect(route.usageEstimated).toBe(true);
    expect(route.costUsd).toBeGreaterThan(0);
    await expect.poll(() => logged.length).toBeGreaterThan(0);
    expect(logged.at(-1)).toMatchObject({
      inputTokens: usage.prompt_tokens,
      outputTokens: estimatedOutputTokens,
      usageEstimated: true,
    });
  });

  it('ends a stream that asked for usage with the router’s figures, though the upstream sent no usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'switchyard/auto',
      messages: [{ role: 'user', content: 'How are the signals?' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the bench.');
    expect(usage?.completion_tokens).toBe(estimatedOutputTokens);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
  });

  it('counts the estimated tokens of both answers on /metrics as their own series (switchyard.usage.estimated)', async () => {
    const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const samples = text
      .split('\n')
      .filter(
        (line) => line.startsWith('switchyard_gateway_tokens_total{') && line.includes('gen_ai_token_type="output"'),
      );
    const value = (estimated: boolean) =>
      samples
        .filter((line) => line.includes('switchyard_usage_estimated="true"') === estimated)
        .map((line) => Number(line.split(' ').at(-1)));
    // The two answers above: 6 estimated output tokens each, none counted by the upstream.
    expect(value(true)).toEqual([2 * estimatedOutputTokens]);
    expect(value(false)).toEqual([0]);
  });
});
