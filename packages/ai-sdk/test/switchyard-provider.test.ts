import { APICallError, NoSuchModelError } from '@ai-sdk/provider';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import type { Target } from '@switchyard/contract';
import { createRouter, type Router } from '@switchyard/core';
import { generateText, jsonSchema, Output, stepCountIs, streamText, tool } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { createSwitchyard } from '../src/index.js';
import { device, proxy, server, useLlamaServer } from './llama-server-fixture.js';

// Real components only: llama.cpp in process on the generated tiny model ("device"), llama.cpp's own llama-server
// behind the testkit fault proxy ("gpu", remote), and a second remote target straight to llama-server that can
// continue a partial answer ("backup").
useLlamaServer({ device: true });
const routers: Router[] = [];
afterAll(async () => {
  for (const router of routers) await router.dispose();
});

function gpuTarget(options: { continuation?: boolean } = {}) {
  return createOpenAITarget({
    baseURL: `${proxy.url}/v1`,
    model: server.model,
    connections: 2,
    capabilities: { continuation: options.continuation ?? true },
  });
}

function backupTarget() {
  return createOpenAITarget({
    baseURL: server.baseURL,
    model: server.model,
    connections: 2,
    capabilities: { continuation: true },
  });
}

function makeRouter(
  mode: 'prefer-local' | 'prefer-remote' | 'remote-only',
  targets: Record<string, Target> = { device, gpu: gpuTarget() },
) {
  const router = createRouter({ targets, policy: { mode } });
  routers.push(router);
  return router;
}

const prompt = 'Tell me a short story about a train yard.';
const greedy = { temperature: 0, seed: 1 } as const;

describe('createSwitchyard: streamText and generateText through a router', () => {
  it('streams from the on-device model with usage, finish reason and the route in providerMetadata', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-local'));
    const result = streamText({ model: switchyard('auto'), prompt, maxOutputTokens: 16, ...greedy });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    expect(streamed.length).toBeGreaterThan(0);
    expect(await result.text).toBe(streamed);
    expect(['stop', 'length']).toContain(await result.finishReason);
    const usage = await result.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    const route = (await result.providerMetadata)?.switchyard;
    expect(route).toMatchObject({ target: 'device', locality: 'local', plan: ['device', 'gpu'], fallbacks: 0 });
    expect((await result.response).modelId).toBe('device');
    // Nothing went to the remote target.
    expect(proxy.requests).toHaveLength(0);
  });

  it('pins a call to one target by model id and gives the same text as llama-server itself', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-local'));
    const viaRouter = await generateText({ model: switchyard('gpu'), prompt, maxOutputTokens: 12, ...greedy });
    const direct = await backupTarget().generate({
      messages: [{ role: 'user', content: prompt }],
      maxTokens: 12,
      ...greedy,
    });
    expect(viaRouter.text).toBe(direct.text);
    expect(viaRouter.usage.outputTokens).toBe(direct.usage?.outputTokens);
    expect(viaRouter.providerMetadata?.switchyard).toMatchObject({ target: 'gpu', locality: 'remote' });
    expect(proxy.requests).toHaveLength(1);
  });

  it('continues a stream cut mid-way on another target: streamText repeats no text (default settings)', async () => {
    // Default target settings: both remote targets detect from llama-server's /props that they can continue.
    const gpu = createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: server.model, connections: 2 });
    const backup = createOpenAITarget({ baseURL: server.baseURL, model: server.model, connections: 2 });
    const switchyard = createSwitchyard(makeRouter('remote-only', { gpu, backup }));
    proxy.setFault({ type: 'reset-after-events', events: 4 });
    const result = streamText({ model: switchyard('auto'), prompt, maxOutputTokens: 16, ...greedy });
    // What most consumers do: concatenate every text delta.
    let shown = '';
    const errors: unknown[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') shown += part.text;
      if (part.type === 'error') errors.push(part.error);
    }
    expect(errors).toEqual([]);
    const route = (await result.providerMetadata)?.switchyard as
      | { target: string; failovers?: Array<{ from: string; to: string; mode: string; afterChars: number }> }
      | undefined;
    expect(route?.target).toBe('backup');
    expect(route?.failovers).toEqual([expect.objectContaining({ from: 'gpu', to: 'backup', mode: 'continue' })]);
    const afterChars = route?.failovers?.[0]?.afterChars ?? 0;
    expect(afterChars).toBeGreaterThan(0);
    // Exactly: what the cut stream showed, then llama-server's own continuation of it; nothing twice.
    const prefix = shown.slice(0, afterChars);
    const continuation = await backup.generate({
      messages: [{ role: 'user', content: prompt }],
      maxTokens: 16,
      assistantPrefix: prefix,
      ...greedy,
    });
    expect(shown).toBe(prefix + continuation.text);
    expect(await result.text).toBe(shown);
  });

  it('runs a multi-step tool call on the local model and feeds the result back', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-local'));
    const executed: unknown[] = [];
    let secondStepMessages = '';
    const result = await generateText({
      model: switchyard('device'),
      prompt: 'Ring the bell.',
      maxOutputTokens: 120,
      ...greedy,
      tools: {
        ring_bell: tool({
          description: 'Rings the yard bell',
          inputSchema: jsonSchema<{ times: 1 | 2 }>({
            type: 'object',
            properties: { times: { enum: [1, 2] } },
            required: ['times'],
          }),
          execute: async (input) => {
            executed.push(input);
            return { rang: input.times };
          },
        }),
      },
      toolChoice: 'required',
      prepareStep: ({ stepNumber, messages }) => {
        if (stepNumber === 0) return {};
        secondStepMessages = JSON.stringify(messages);
        return { toolChoice: 'none', maxOutputTokens: 8 };
      },
      stopWhen: stepCountIs(2),
    });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.finishReason).toBe('tool-calls');
    expect(result.steps[0]?.toolCalls).toHaveLength(1);
    expect(executed).toHaveLength(1);
    expect([1, 2]).toContain((executed[0] as { times: number }).times);
    // The second step ran with the tool call and its result in its prompt.
    expect(result.steps[0]?.toolResults[0]?.output).toEqual({ rang: (executed[0] as { times: number }).times });
    expect(secondStepMessages).toContain('"rang"');
    expect(result.steps[1]?.providerMetadata?.switchyard).toMatchObject({ target: 'device' });
  });

  it('streams a tool call exactly once', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-local'));
    const result = streamText({
      model: switchyard('device'),
      prompt: 'Ring it',
      maxOutputTokens: 120,
      ...greedy,
      tools: {
        ring_bell: tool({
          inputSchema: jsonSchema({ type: 'object', properties: { times: { enum: [1, 2] } }, required: ['times'] }),
        }),
      },
      toolChoice: 'required',
    });
    const calls = [];
    for await (const part of result.fullStream) if (part.type === 'tool-call') calls.push(part);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.toolName).toBe('ring_bell');
    expect(await result.finishReason).toBe('tool-calls');
  });

  it('returns structured output from the local model that matches the schema', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-local'));
    const schema = jsonSchema<{ answer: 'yes' | 'no'; count: number }>({
      type: 'object',
      properties: { answer: { enum: ['yes', 'no'] }, count: { type: 'integer' } },
      required: ['answer', 'count'],
      additionalProperties: false,
    });
    const result = await generateText({
      model: switchyard('auto'),
      prompt: 'Is the yard open? Answer in JSON.',
      maxOutputTokens: 60,
      ...greedy,
      output: Output.object({ schema }),
    });
    expect(['yes', 'no']).toContain(result.output.answer);
    expect(Number.isInteger(result.output.count)).toBe(true);
    expect(result.providerMetadata?.switchyard).toMatchObject({ target: 'device' });
  });

  it('never sends a private prompt to the remote target, even when the policy prefers it', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-remote'));
    const secret = 'my card is 4111 1111 1111 1111, email jane.doe@example.test';
    const marked = await generateText({
      model: switchyard('auto'),
      prompt: `Remember: ${secret}`,
      maxOutputTokens: 6,
      providerOptions: { switchyard: { privacy: 'private' } },
    });
    expect(marked.providerMetadata?.switchyard).toMatchObject({ target: 'device', privacy: { private: true } });
    // Personal data found by the router's detector is private without being marked.
    const detected = streamText({ model: switchyard('auto'), prompt: `Remember: ${secret}`, maxOutputTokens: 6 });
    await detected.consumeStream();
    expect((await detected.providerMetadata)?.switchyard).toMatchObject({ target: 'device' });
    expect(proxy.requests).toHaveLength(0);
    expect(proxy.received().includes('4111')).toBe(false);
    // Pinning the private call to the remote target fails closed instead of sending it.
    await expect(
      generateText({
        model: switchyard('gpu'),
        prompt: `Remember: ${secret}`,
        maxOutputTokens: 6,
        providerOptions: { switchyard: { privacy: 'private' } },
      }),
    ).rejects.toMatchObject({ code: 'no-eligible-target' });
    expect(proxy.received().length).toBe(0);
  });

  it('aborting streamText closes the upstream connection', async () => {
    const switchyard = createSwitchyard(makeRouter('remote-only'));
    // Idle keep-alive sockets of earlier calls may still be open: compare with the count before this call.
    const before = proxy.openConnections();
    const controller = new AbortController();
    // The proxy forwards four events, then holds the stream open: only the abort can end it.
    proxy.setFault({ type: 'hang-after-events', events: 4 });
    const result = streamText({
      model: switchyard('gpu'),
      prompt,
      maxOutputTokens: 200,
      abortSignal: controller.signal,
    });
    let aborted = false;
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta' && !controller.signal.aborted) {
        expect(proxy.openConnections()).toBeGreaterThan(before);
        controller.abort();
      }
      // The AI SDK reports a cancelled stream as an \`abort\` part (or an error named AbortError).
      if (part.type === 'abort') aborted = true;
      if (part.type === 'error' && (part.error as Error).name === 'AbortError') aborted = true;
    }
    expect(aborted).toBe(true);
    // Sockets close asynchronously; poll with a hang guard rather than a timing assertion.
    for (let tries = 0; tries < 500 && proxy.openConnections() > before; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(proxy.openConnections()).toBeLessThanOrEqual(before);
  });
});

describe('createSwitchyard: errors, warnings and ids', () => {
  it('maps an HTTP failure to APICallError, not retried again by the AI SDK after the router gave up', async () => {
    const router = createRouter({
      targets: { gpu: gpuTarget() },
      policy: { mode: 'remote-only', execution: { retries: 1, backoff: { initialMs: 1, maxMs: 2 } } },
    });
    routers.push(router);
    const switchyard = createSwitchyard(router);
    proxy.setFault({ type: 'status', status: 503, retryAfter: 0, body: '{"error":"overloaded"}' });
    const error = await generateText({ model: switchyard('auto'), prompt, maxOutputTokens: 4, maxRetries: 3 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(503);
    expect(apiError.isRetryable).toBe(false);
    expect(apiError.responseBody).toContain('overloaded');
    expect(apiError.data).toMatchObject({ switchyard: { code: 'all-targets-failed' } });
    // One try plus the router's one retry; the AI SDK's maxRetries did not multiply them.
    expect(proxy.requests).toHaveLength(2);
  });

  it('warns about settings a Switchyard target cannot honour and still answers', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-local'));
    const result = await generateText({
      model: switchyard('device'),
      prompt,
      maxOutputTokens: 4,
      topK: 3,
      presencePenalty: 0.5,
    });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        { type: 'unsupported', feature: 'topK' },
        { type: 'unsupported', feature: 'presencePenalty' },
      ]),
    );
  });

  it('rejects an unknown model id with NoSuchModelError and bad provider options naming the field', async () => {
    const switchyard = createSwitchyard(makeRouter('prefer-local'));
    expect(() => switchyard('nope')).toThrow(/expected one of "auto", "device", "gpu"/);
    let noSuch: unknown;
    try {
      switchyard.languageModel('nope');
    } catch (error) {
      noSuch = error;
    }
    expect(NoSuchModelError.isInstance(noSuch)).toBe(true);
    await expect(
      generateText({
        model: switchyard('auto'),
        prompt,
        providerOptions: { switchyard: { privacy: 'secret' } },
      }),
    ).rejects.toThrow(/providerOptions\.switchyard.*privacy/);
    expect(proxy.requests).toHaveLength(0);
  });
});
