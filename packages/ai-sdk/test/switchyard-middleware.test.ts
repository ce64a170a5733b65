import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { InvalidConfigError } from '@switchyard/contract';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { type SwitchyardMiddleware, switchyardMiddleware } from '../src/index.js';
import { device, proxy, server, useLlamaServer } from './llama-server-fixture.js';

// Real components only: a real @ai-sdk/openai-compatible model (the model "you already have") pointed at llama.cpp's
// own llama-server through the testkit's fault proxy, wrapped with the real `ai` package's wrapLanguageModel; the
// router's other target is llama.cpp in process on the generated tiny model ("device").
useLlamaServer({ device: true });
const middlewares: SwitchyardMiddleware[] = [];
afterAll(async () => {
  for (const middleware of middlewares) await middleware.dispose();
});

/** The model a team already holds: an OpenAI-compatible chat model, here llama-server behind the fault proxy. */
function existingModel() {
  return createOpenAICompatible({ name: 'llama-server', baseURL: `${proxy.url}/v1`, includeUsage: true }).chatModel(
    server.model,
  );
}

function wrapped(mode: 'prefer-remote' | 'prefer-local' = 'prefer-remote') {
  const middleware = switchyardMiddleware({
    model: { name: 'gpu', id: 'llama-server:tiny', locality: 'remote', capabilities: { contextWindow: 4096 } },
    router: {
      targets: { device },
      policy: { mode, privacy: { detectPii: true, onDetected: 'local-only' }, execution: { retries: 0 } },
    },
  });
  middlewares.push(middleware);
  const inner = existingModel();
  return { model: wrapLanguageModel({ model: inner, middleware }), inner, middleware };
}

const prompt = 'Tell me a short story about a train yard.';
const greedy = { temperature: 0, seed: 1, maxOutputTokens: 12 } as const;

describe('switchyardMiddleware with wrapLanguageModel', () => {
  it('answers from the wrapped model, with the same text as the model called directly and the route in providerMetadata', async () => {
    const { model, inner, middleware } = wrapped();
    const result = streamText({ model, prompt, ...greedy });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    const direct = await generateText({ model: inner, prompt, ...greedy });
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed).toBe(direct.text);
    expect((await result.providerMetadata)?.switchyard).toMatchObject({
      target: 'gpu',
      locality: 'remote',
      plan: ['gpu', 'device'],
      fallbacks: 0,
    });
    expect((await result.response).modelId).toBe('gpu');
    // The router is the one the middleware made for this model: its two targets.
    expect(Object.keys(middleware.routerFor(inner)?.targets ?? {})).toEqual(['gpu', 'device']);
  });

  it('falls back to the device when the wrapped model fails before any text (streamText)', async () => {
    const { model, inner } = wrapped();
    proxy.setFault({ type: 'status', status: 503, body: '{"error":{"message":"overloaded"}}' });
    // Without the middleware the same call fails.
    const bare = streamText({ model: inner, prompt, ...greedy, maxRetries: 0 });
    await expect(bare.text).rejects.toThrow();
    proxy.clearRequests();

    const result = streamText({ model, prompt, ...greedy, maxRetries: 0 });
    const text = await result.text;
    expect(text.length).toBeGreaterThan(0);
    const route = (await result.providerMetadata)?.switchyard as {
      target: string;
      fallbacks: number;
      attempts: Array<{ target: string; outcome: string }>;
    };
    expect(route).toMatchObject({ target: 'device', locality: 'local', fallbacks: 1 });
    expect(route.attempts.map((attempt) => [attempt.target, attempt.outcome])).toEqual([
      ['gpu', 'error'],
      ['device', 'success'],
    ]);
    expect(proxy.requests).toHaveLength(1);
  });

  it('continues on the device when the wrapped model breaks mid-stream, repeating no text', async () => {
    const { model } = wrapped();
    const clean = await generateText({ model, prompt, ...greedy, maxOutputTokens: 24 });
    proxy.setFault({ type: 'reset-after-events', events: 4 });
    const result = streamText({ model, prompt, ...greedy, maxOutputTokens: 24, maxRetries: 0 });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    const route = (await result.providerMetadata)?.switchyard as { target: string; fallbacks: number };
    expect(route).toMatchObject({ target: 'device', fallbacks: 1 });
    // The wrapped model's text before the reset reached the reader once, at the start, and was not sent again.
    const head = clean.text.slice(0, 10);
    expect(head.length).toBe(10);
    expect(streamed.indexOf(head)).toBe(0);
    expect(streamed.indexOf(head, 1)).toBe(-1);
    expect(proxy.requests.map((request) => request.fault?.type ?? null)).toEqual([null, 'reset-after-events']);
  });

  it('falls back to the device when the wrapped model fails (generateText)', async () => {
    const { model } = wrapped();
    proxy.setFault({ type: 'status', status: 500 });
    const result = await generateText({ model, prompt, ...greedy, maxRetries: 0 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.providerMetadata?.switchyard).toMatchObject({ target: 'device', fallbacks: 1 });
    // generateText's own user-agent header is not a setting the caller made: no warning for it.
    expect(result.warnings).toEqual([]);
  });

  it('warns about per-call settings the Switchyard request cannot carry to the wrapped model', async () => {
    const { model } = wrapped();
    const result = await generateText({ model, prompt, ...greedy, topK: 3, headers: { 'x-team': 'rails' } });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        { type: 'unsupported', feature: 'topK' },
        expect.objectContaining({ type: 'unsupported', feature: 'headers' }),
      ]),
    );
    expect(proxy.requests[0]?.rawHeaders.map((name) => name.toLowerCase())).not.toContain('x-team');
  });

  it('keeps a private prompt, and a prompt with an e-mail address, off the remote wrapped model', async () => {
    const { model } = wrapped();
    const secret = 'the vault code is 4417';
    const marked = await generateText({
      model,
      prompt: `Remember: ${secret}.`,
      ...greedy,
      providerOptions: { switchyard: { privacy: 'private' } },
    });
    expect(marked.providerMetadata?.switchyard).toMatchObject({ target: 'device', plan: ['device'] });
    const email = streamText({ model, prompt: 'Write to ada@example.com about the timetable.', ...greedy });
    expect((await email.text).length).toBeGreaterThan(0);
    expect((await email.providerMetadata)?.switchyard).toMatchObject({
      target: 'device',
      privacy: { private: true, detected: ['email'] },
      excluded: [{ target: 'gpu', reason: 'privacy' }],
    });
    // Not one byte reached the wrapped model's server.
    expect(proxy.requests).toHaveLength(0);
    expect(proxy.received().includes(secret)).toBe(false);
  });

  it('checks its settings up front and names the field', () => {
    expect(() =>
      switchyardMiddleware({
        model: { id: 'x', locality: 'cloud' as never },
        router: { targets: { device } },
      }),
    ).toThrow(/model\.locality/);
    const collision = (() => {
      try {
        switchyardMiddleware({
          model: { name: 'device', id: 'x', locality: 'remote' },
          router: { targets: { device } },
        });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(InvalidConfigError.isInstance(collision)).toBe(true);
    expect(String((collision as Error).message)).toContain('router.targets.device');
  });
});
