import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  ApiCallError,
  InvalidConfigError,
  InvalidResponseError,
  type StreamPart,
  SwitchyardError,
  type Target,
  type TargetCall,
} from '@switchyard/contract';
import { runTargetConformance, runTargetFaultConformance } from '@switchyard/contract/testing';
import { createRouter } from '@switchyard/core';
import { type FaultProxy, startFaultProxy } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAISDKTarget, createBoundedFetch } from '../src/index.js';
import { proxy, server, useLlamaServer } from './llama-server-fixture.js';

// A real @ai-sdk/openai-compatible model pointed at llama.cpp's own llama-server, directly and through the testkit's
// fault-injecting proxy.
useLlamaServer();

function openAICompatible(baseURL: string) {
  return createOpenAICompatible({ name: 'llama-server', baseURL, includeUsage: true });
}

function target(baseURL: string, id = 'llama-server', continuation = false): Target {
  return createAISDKTarget(openAICompatible(baseURL).chatModel(server.model), {
    id,
    locality: 'remote',
    capabilities: { contextWindow: 4096, continuation },
    price: { inputPer1M: 0.1, outputPer1M: 0.2 },
  });
}

runTargetConformance({
  name: 'createAISDKTarget(@ai-sdk/openai-compatible) against llama-server',
  createTarget: () => target(server.baseURL),
  deterministic: true,
});

// llama-server continues a trailing assistant message, so this model may declare continuation: the suite then checks
// that the trailing message and the echoed-prefix handling give exactly the rest of the answer.
runTargetConformance({
  name: 'createAISDKTarget(@ai-sdk/openai-compatible) against llama-server, continuation declared',
  createTarget: () => target(server.baseURL, 'llama-server', true),
  deterministic: true,
});

runTargetConformance({
  name: 'createAISDKTarget(@ai-sdk/openai-compatible) through the fault proxy (no fault)',
  createTarget: () => target(`${proxy.url}/v1`),
  deterministic: true,
});

describe('the shared fault suite, through a fault proxy of its own in front of llama-server', () => {
  let own: FaultProxy;
  beforeAll(async () => {
    own = await startFaultProxy({ upstream: server.origin });
  });
  afterAll(() => own?.close());

  runTargetFaultConformance({
    name: 'createAISDKTarget(@ai-sdk/openai-compatible)',
    faults: () => own,
    createTarget: (baseURL) => {
      // The provider reads the SSE body itself: the bounded fetch is what caps one event.
      const provider = createOpenAICompatible({
        name: 'llama-server',
        baseURL: `${baseURL}/v1`,
        includeUsage: true,
        fetch: createBoundedFetch({ maxEventBytes: 65_536 }),
      });
      return createAISDKTarget(provider.chatModel(server.model), { id: 'faults', locality: 'remote', timeoutMs: 3000 });
    },
    oversizedEventBytes: 1024 * 1024,
  });
});

const call: TargetCall = {
  messages: [{ role: 'user', content: 'Tell me a short story about a train yard.' }],
  maxTokens: 24,
  temperature: 0,
  seed: 1,
};

async function streamError(subject: Target, extra: Partial<TargetCall> = {}): Promise<unknown> {
  const parts: StreamPart[] = [];
  try {
    for await (const part of subject.stream({ ...call, ...extra })) parts.push(part);
  } catch (error) {
    return error;
  }
  throw new Error(`expected the stream to fail; it ended with ${JSON.stringify(parts.at(-1))}`);
}

describe('createAISDKTarget through the fault proxy', () => {
  let faulty: Target;
  beforeAll(() => {
    faulty = target(`${proxy.url}/v1`, 'faulty');
  });

  it('keeps a 400 non-retryable', async () => {
    proxy.setFault({ type: 'status', status: 400, body: '{"error":{"message":"bad"}}' });
    const error = await faulty.generate(call).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error) && [error.status, error.isRetryable]).toEqual([400, false]);
  });

  it('fails malformed SSE with a retryable error, never a silent success', async () => {
    proxy.setFault({ type: 'malformed-sse', afterEvents: 2 });
    const error = await streamError(faulty);
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect((error as SwitchyardError).isRetryable).toBe(true);
  });
});

describe('a provider that reports no usage (openai-compatible without includeUsage) against llama-server', () => {
  it('streams no usage part, so the router charges its estimate instead of $0', async () => {
    const model = createOpenAICompatible({ name: 'llama-server', baseURL: server.baseURL }).chatModel(server.model);
    const gpu = createAISDKTarget(model, {
      id: 'no-usage',
      locality: 'remote',
      price: { inputPer1M: 1000, outputPer1M: 1000 },
    });
    const messages = [{ role: 'user' as const, content: 'Name three rail yards.' }];
    const kinds: string[] = [];
    for await (const part of gpu.stream({ messages, maxTokens: 8 })) kinds.push(part.type);
    expect(kinds).not.toContain('usage');
    expect(kinds.at(-1)).toBe('finish');

    const router = createRouter({ targets: { gpu }, policy: { mode: 'remote-only' } });
    try {
      const answer = await router.generate({ messages, maxTokens: 8 });
      expect(answer.route.attempts[0]?.usageEstimated).toBe(true);
      expect(answer.route.costUsd).toBeGreaterThan(0);
    } finally {
      await router.dispose();
    }
  });
});

describe('createAISDKTarget settings', () => {
  it('rejects a non-model and bad settings with InvalidConfigError naming the field', () => {
    expect(() => createAISDKTarget({} as never, { id: 'x', locality: 'remote' })).toThrow(InvalidConfigError);
    const model = openAICompatible('http://127.0.0.1:9/v1').chatModel('m');
    expect(() => createAISDKTarget(model, { id: '', locality: 'remote' })).toThrow(/id/);
    expect(() => createAISDKTarget(model, { id: 'x', locality: 'cloud' as never })).toThrow(/locality/);
    expect(() =>
      createAISDKTarget(model, { id: 'x', locality: 'remote', price: { inputPer1M: -1, outputPer1M: 0 } }),
    ).toThrow(/price\.inputPer1M/);
  });

  it('declares the capabilities and price it was given', () => {
    const model = openAICompatible('http://127.0.0.1:9/v1').chatModel('m');
    const subject = createAISDKTarget(model, {
      id: 'x',
      locality: 'local',
      capabilities: { contextWindow: 2048, images: true },
      price: { inputPer1M: 1, outputPer1M: 2 },
    });
    expect(subject.locality).toBe('local');
    expect(subject.capabilities).toMatchObject({
      contextWindow: 2048,
      images: true,
      tools: true,
      price: { inputPer1M: 1, outputPer1M: 2 },
    });
  });

  it('never reports a stream that ends without a finish as success', async () => {
    proxy.setFault({ type: 'end-after-events', events: 3 });
    const error = await streamError(target(`${proxy.url}/v1`, 'truncated'));
    expect(InvalidResponseError.isInstance(error) || (SwitchyardError.isInstance(error) && error.isRetryable)).toBe(
      true,
    );
    proxy.setFault(null);
  });
});
