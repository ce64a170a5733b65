/**
 * The rest of the failover contract, on the fast SSE stand-in behind the fault proxy: Retry-After is honoured,
 * attempts are bounded (no fallback recursion however long the upstream keeps failing), and a tool call is never
 * emitted twice — once one was streamed, a broken stream ends in a typed error instead of a failover.
 */
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { AllTargetsFailedError, ApiCallError } from '@switchyard/contract';
import { createRouter, type Router } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { type FaultProxy, type OpenAIUpstream, startFaultProxy, startOpenAIUpstream } from '@switchyard/testkit';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { drain, settle, visibleText } from './support/drain.js';

describe('retries, bounded attempts and tool calls', () => {
  let upstream: OpenAIUpstream;
  let proxy: FaultProxy;
  let agent: Agent;
  let router: Router | undefined;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream({
      continueFinalMessage: true,
      answer: (body) =>
        Array.isArray(body.tools)
          ? { words: ['Looking', ' it', ' up.'], toolCall: { name: 'lookup', arguments: '{"track":9}' } }
          : { words: ['All', ' clear.'] },
    });
    proxy = await startFaultProxy({ upstream: upstream.url });
    agent = new Agent({ connections: 8 });
  });
  afterEach(async () => {
    proxy.setFault(null);
    proxy.clearRequests();
    await router?.dispose();
    router = undefined;
  });
  afterAll(async () => {
    await agent?.close();
    await proxy?.close();
    await upstream?.close();
  });

  function remote(id: string) {
    return createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: 'stand-in', id, dispatcher: agent });
  }

  it('waits for Retry-After before retrying the same target, then answers from it', async () => {
    router = createRouter({ targets: { gpu: remote('gpu') }, policy: { execution: { retries: 1 } } });
    proxy.queueFaults({ type: 'status', status: 429, retryAfter: 1 }, null);
    const result = await router.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 8 });
    const [limited, retried] = result.route.attempts;
    expect(result.text).toBe('All clear.');
    expect(limited).toMatchObject({ target: 'gpu', outcome: 'error', error: { code: 'api-call' } });
    expect(retried).toMatchObject({ target: 'gpu', outcome: 'success' });
    // A lower bound only (never an upper one): the retry did not start before Retry-After had passed.
    expect(retried!.startedAt - limited!.startedAt).toBeGreaterThanOrEqual(950);
  });

  it.each([0, 1, 3])(
    'an upstream that always fails gets exactly (retries + 1) attempts per target, then one typed error (retries %i)',
    async (retries) => {
      router = createRouter({
        targets: { gpu: remote('gpu'), cloud: remote('cloud') },
        policy: {
          execution: {
            retries,
            backoff: { initialMs: 1, maxMs: 2, factor: 2 },
            circuit: { failureThreshold: 100, windowMs: 60_000, cooldownMs: 1_000 },
          },
        },
      });
      proxy.setFault({ type: 'status', status: 503 });
      const { error } = await settle(router.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 8 }));
      expect(AllTargetsFailedError.isInstance(error)).toBe(true);
      const attempts = (error as AllTargetsFailedError).attempts;
      expect(attempts).toHaveLength(2 * (retries + 1));
      expect(attempts.every((attempt) => ApiCallError.isInstance(attempt.error))).toBe(true);
      expect(proxy.requests).toHaveLength(2 * (retries + 1));
    },
  );

  it.each(['generate', 'stream'] as const)(
    'a stream cut right after the tool-call delta yields no partial call; the retry answers with exactly one (%s)',
    async (mode) => {
      router = createRouter({
        targets: { gpu: remote('gpu'), cloud: remote('cloud') },
        // The stand-ins cannot continue the three words already shown: opt into the visible restart (the default,
        // midStream 'continue', ends such a stream with StreamInterruptedError; fault-matrix covers that).
        policy: { execution: { retries: 1, midStream: 'restart' } },
      });
      // Events: role, 3 words, the tool-call delta; then the reset (before finish and [DONE]). The retry is clean.
      proxy.queueFaults({ type: 'reset-after-events', events: 5 }, null);
      const request = {
        messages: [{ role: 'user' as const, content: 'Where is the train?' }],
        tools: [{ name: 'lookup', description: 'find a train', parameters: { type: 'object', properties: {} } }],
        maxTokens: 16,
      };
      let toolCalls: unknown[];
      let text: string;
      if (mode === 'generate') {
        const result = await router.generate(request);
        toolCalls = result.toolCalls;
        text = result.text;
      } else {
        const outcome = await drain(router.stream(request));
        expect(outcome.error).toBeUndefined();
        toolCalls = outcome.parts.filter((part) => part.type === 'tool-call');
        text = visibleText(outcome.parts);
      }
      expect(toolCalls).toHaveLength(1);
      expect(text).toBe('Looking it up.');
      expect(proxy.requests).toHaveLength(2);
    },
  );

  it.each(['generate', 'stream'] as const)(
    'once a tool call was emitted, a broken stream is not failed over, so it is never emitted twice (%s)',
    async (mode) => {
      // A target that streams a tool call and then ends without finishing (the OpenAI adapter only emits whole calls
      // after a complete stream, so it cannot produce this).
      const toolCall = { id: 'call_1', name: 'lookup', arguments: '{}' };
      const device = createScriptedTarget({
        id: 'device',
        locality: 'local',
        script: [{ text: ['Checking.'], toolCalls: [toolCall], omitFinish: true }],
      });
      router = createRouter({ targets: { device, gpu: remote('gpu') }, policy: { execution: { retries: 1 } } });
      const request = { messages: [{ role: 'user' as const, content: 'Where is the train?' }], maxTokens: 16 };
      if (mode === 'generate') {
        const { error } = await settle(router.generate(request));
        expect(AllTargetsFailedError.isInstance(error)).toBe(true);
        expect((error as Error).message).toMatch(/tool call/);
      } else {
        const outcome = await drain(router.stream(request));
        expect(AllTargetsFailedError.isInstance(outcome.error)).toBe(true);
        expect(outcome.parts.filter((part) => part.type === 'tool-call')).toHaveLength(1);
        expect(outcome.parts.some((part) => part.type === 'failover' || part.type === 'finish')).toBe(false);
      }
      expect(device.calls).toHaveLength(1);
      expect(proxy.requests).toHaveLength(0);
    },
  );
});
