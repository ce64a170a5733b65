/**
 * Fail-closed privacy. A sniffing hop (a TCP tap that records every byte, in front of the fault proxy and a fast
 * OpenAI-compatible upstream) stands where the cloud would be. Requests with personal data in any message, or with
 * `privacy: 'private'`, go through every path that could leak them — remote-first modes, rules, hedging, retries,
 * the circuit breaker, a local model that is missing, corrupt, disposed or crashes mid-stream, and the gateway with
 * a remote pin — and the tap must receive zero bytes. A control case shows the tap does see ordinary requests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLlamaCppTarget, type LlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import {
  AllTargetsFailedError,
  type GenerateRequest,
  type Message,
  NoEligibleTargetError,
  StreamInterruptedError,
  SwitchyardError,
  type Target,
} from '@switchyard/contract';
import { createRouter, type PolicyInput, type Router } from '@switchyard/core';
import { detectPii } from '@switchyard/core/pii';
import { createGateway, type Gateway } from '@switchyard/server';
import {
  ensureTinyModel,
  type FaultProxy,
  type OpenAIUpstream,
  startFaultProxy,
  startOpenAIUpstream,
} from '@switchyard/testkit';
import { Agent, request as httpRequest } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ByteTap, startByteTap } from './support/byte-tap.js';
import { drain, eventually, settle } from './support/drain.js';
import { instrument } from './support/instrument.js';
import { closeAll } from './support/teardown.js';

/** Personal data the on-device detector must catch, one sample per kind. */
const samples: Array<{ kind: string; messages: Message[]; routing?: GenerateRequest['routing'] }> = [
  { kind: 'email', messages: [{ role: 'user', content: 'Write to ada.lovelace@example.org today' }] },
  { kind: 'phone number', messages: [{ role: 'user', content: 'Call me on +1 415 555 0100 tonight' }] },
  { kind: 'card number', messages: [{ role: 'user', content: 'Card 4111 1111 1111 1111 exp 12/29' }] },
  { kind: 'IBAN', messages: [{ role: 'user', content: 'Pay to DE89 3704 0044 0532 0130 00 please' }] },
  { kind: 'US SSN', messages: [{ role: 'user', content: 'SSN 123-45-6789' }] },
  { kind: 'API key', messages: [{ role: 'user', content: 'use key sk-proj-abcdefghijklmnopqrstuvwxyz123456' }] },
  {
    kind: 'email in the system message',
    messages: [
      { role: 'system', content: 'The user is grace.hopper@example.org.' },
      { role: 'user', content: 'Say hello.' },
    ],
  },
  {
    kind: 'card number in a tool result',
    messages: [
      { role: 'user', content: 'What is on file?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{}' }],
      },
      { role: 'tool', toolCallId: 'call_1', content: '{"card":"4111-1111-1111-1111"}' },
    ],
  },
  {
    kind: "routing.privacy 'private' (no personal data)",
    messages: [{ role: 'user', content: 'Summarise the history of railway signalling.' }],
    routing: { privacy: 'private' },
  },
];

type LocalKind = 'healthy' | 'missing' | 'corrupt' | 'disposed-before-first-token' | 'crash-mid-stream';

/** Each path that might send a private request to the cloud, and what the caller must get instead. */
const paths: Array<{
  name: string;
  local: LocalKind;
  policy: PolicyInput;
  expect: 'local-answer' | 'no-eligible' | 'all-failed';
}> = [
  { name: 'remote-first mode', local: 'healthy', policy: { mode: 'prefer-remote' }, expect: 'local-answer' },
  { name: 'remote-only mode', local: 'healthy', policy: { mode: 'remote-only' }, expect: 'no-eligible' },
  {
    name: 'a rule that uses the remote targets',
    local: 'healthy',
    policy: { rules: [{ when: {}, use: ['gpu', 'cloud'] }] },
    expect: 'no-eligible',
  },
  {
    name: 'auto mode hedging after 1 ms',
    local: 'healthy',
    policy: { mode: 'auto', execution: { hedgeAfterMs: 1 } },
    expect: 'local-answer',
  },
  { name: 'local model file missing', local: 'missing', policy: { mode: 'prefer-local' }, expect: 'no-eligible' },
  {
    name: 'local model corrupt, with retries',
    local: 'corrupt',
    policy: { mode: 'prefer-remote', execution: { retries: 2, backoff: { initialMs: 1, maxMs: 2, factor: 2 } } },
    expect: 'all-failed',
  },
  {
    name: 'local model disposed before its first token, hedging on',
    local: 'disposed-before-first-token',
    policy: { mode: 'prefer-local', execution: { hedgeAfterMs: 1 } },
    expect: 'all-failed',
  },
  {
    name: 'local model crashes mid-stream',
    local: 'crash-mid-stream',
    policy: { mode: 'prefer-local' },
    expect: 'all-failed',
  },
];

const matrix = paths.flatMap((path, index) =>
  (['generate', 'stream'] as const).map((mode) => ({ ...path, mode, sample: samples[index % samples.length]! })),
);

describe('privacy fails closed: a sniffing upstream receives zero bytes of private requests', () => {
  let modelPath: string;
  let dir: string;
  let upstream: OpenAIUpstream;
  let proxy: FaultProxy;
  let tap: ByteTap;
  let agent: Agent;
  let device: LlamaCppTarget;
  const disposables: Array<{ dispose?: () => Promise<void> }> = [];
  let router: Router | undefined;

  beforeAll(async () => {
    modelPath = await ensureTinyModel();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-privacy-'));
    upstream = await startOpenAIUpstream({ continueFinalMessage: true });
    proxy = await startFaultProxy({ upstream: upstream.url });
    tap = await startByteTap(proxy.url);
    agent = new Agent({ connections: 8 });
    device = createLlamaCppTarget({ modelPath, id: 'device', threads: 1, gpu: false, contextSize: 1024 });
    await device.load();
  });

  afterEach(async () => {
    // Settle and tear down first (so a late hedge or retry would still be seen, and a failed check below cannot
    // leave a router or target behind for the next case), then check.
    let idle = true;
    if (router) {
      const current = router;
      router = undefined;
      idle = await eventually(() => Object.values(current.stats()).every((stats) => stats.inFlight === 0));
      await current.dispose();
    }
    for (const target of disposables.splice(0)) await target.dispose?.();
    expect(idle).toBe(true);
    // The sniffing upstream saw nothing at all: no connection, not one byte.
    expect(tap.received().toString('latin1')).toBe('');
    expect(tap.connections()).toBe(0);
    expect(proxy.requests).toHaveLength(0);
  });

  afterAll(async () => {
    await closeAll([
      ['the device target', device && (() => device.dispose())],
      ['the client agent', agent && (() => agent.close())],
      ['the byte tap', tap && (() => tap.close())],
      ['the fault proxy', proxy && (() => proxy.close())],
      ['the upstream', upstream && (() => upstream.close())],
    ]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function remote(id: string): Target {
    const target = createOpenAITarget({ baseURL: `${tap.url}/v1`, model: 'stand-in', id, dispatcher: agent });
    disposables.push(target);
    return target;
  }

  function localTarget(kind: LocalKind): { target: Target; onAttempt?: () => void } {
    if (kind === 'healthy') return { target: device };
    let path = modelPath;
    if (kind === 'missing') path = join(dir, 'missing.gguf');
    if (kind === 'corrupt') {
      path = join(dir, 'truncated.gguf');
      writeFileSync(path, readFileSync(modelPath).subarray(0, 4096));
    }
    const own = createLlamaCppTarget({ modelPath: path, id: 'device', threads: 1, gpu: false, contextSize: 1024 });
    disposables.push(own);
    if (kind === 'disposed-before-first-token') return { target: own, onAttempt: () => void own.dispose() };
    if (kind === 'crash-mid-stream') {
      const wrapped = instrument<Target>(own);
      wrapped.onPart = (part) => {
        if (part.type === 'text-delta') void own.dispose();
      };
      return { target: wrapped.wrapped };
    }
    return { target: own };
  }

  it.each(samples)('the on-device detector flags the sample: $kind', ({ messages, routing }) => {
    const text = messages.map((message) => (typeof message.content === 'string' ? message.content : '')).join('\n');
    const toolArguments = messages.flatMap((message) =>
      message.role === 'assistant' ? (message.toolCalls ?? []).map((call) => call.arguments) : [],
    );
    const flagged = detectPii([text, ...toolArguments].join('\n')).kinds.length > 0 || routing?.privacy === 'private';
    expect(flagged).toBe(true);
  });

  it.each(matrix)('$name ($mode, $sample.kind)', async (testCase) => {
    const local = localTarget(testCase.local);
    router = createRouter({
      targets: { gpu: remote('gpu'), device: local.target, cloud: remote('cloud') },
      policy: testCase.policy,
    });
    if (local.onAttempt) {
      router.on('attempt', (event) => {
        if (event.target === 'device' && event.phase === 'start') local.onAttempt?.();
      });
    }
    const request: GenerateRequest = {
      messages: testCase.sample.messages,
      maxTokens: 16,
      temperature: 0,
      routing: { deadlineMs: 10_000, ...testCase.sample.routing },
    };
    let error: unknown;
    let answeredBy: string | undefined;
    if (testCase.mode === 'generate') {
      const outcome = await settle(router.generate(request));
      error = outcome.error;
      answeredBy = outcome.value?.route.target;
    } else {
      const outcome = await drain(router.stream(request));
      error = outcome.error;
      const summary = outcome.parts.at(-1);
      if (summary?.type === 'route' && summary.phase === 'summary') answeredBy = summary.route.target;
      if (error) expect(outcome.parts.some((part) => part.type === 'finish')).toBe(false);
    }
    if (testCase.expect === 'local-answer') {
      expect(error).toBeUndefined();
      expect(answeredBy).toBe('device');
      return;
    }
    expect(SwitchyardError.isInstance(error)).toBe(true);
    if (testCase.expect === 'no-eligible') {
      expect(NoEligibleTargetError.isInstance(error)).toBe(true);
      const excluded = (error as NoEligibleTargetError).excluded;
      expect(excluded.filter((entry) => entry.target !== 'device').map((entry) => entry.reason)).toEqual([
        'privacy',
        'privacy',
      ]);
    } else {
      // A crash after text was shown ends with StreamInterruptedError under the default midStream 'continue'.
      expect(AllTargetsFailedError.isInstance(error) || StreamInterruptedError.isInstance(error)).toBe(true);
      expect(
        (error as AllTargetsFailedError | StreamInterruptedError).attempts.every(
          (attempt) => attempt.target === 'device',
        ),
      ).toBe(true);
    }
  });

  it.each(samples.slice(0, 3))(
    'the remote-first router answers every kind on the device: $kind',
    async ({ messages, routing }) => {
      router = createRouter({
        targets: { gpu: remote('gpu'), cloud: remote('cloud'), device },
        policy: { mode: 'prefer-remote', execution: { hedgeAfterMs: 1, retries: 3 } },
      });
      const result = await router.generate({ messages, maxTokens: 8, temperature: 0, ...(routing ? { routing } : {}) });
      expect(result.route.target).toBe('device');
    },
  );

  it('an open circuit on the device fails closed instead of moving to the cloud', async () => {
    const broken = localTarget('corrupt').target;
    router = createRouter({
      targets: { gpu: remote('gpu'), device: broken },
      policy: {
        mode: 'prefer-local',
        execution: { retries: 0, circuit: { failureThreshold: 1, windowMs: 60_000, cooldownMs: 60_000 } },
      },
    });
    const messages = samples[0]!.messages;
    const first = await settle(router.generate({ messages, maxTokens: 8 }));
    expect(AllTargetsFailedError.isInstance(first.error)).toBe(true);
    const second = await settle(router.generate({ messages, maxTokens: 8 }));
    expect(NoEligibleTargetError.isInstance(second.error)).toBe(true);
    expect(router.stats().device?.circuit).toBe('open');
  });

  describe('through the gateway', () => {
    let gateway: Gateway;
    let url: string;
    let gatewayRouter: Router;
    let gatewayTargets: Array<{ dispose?: () => Promise<void> }> = [];

    beforeAll(async () => {
      const broken = localTarget('corrupt').target;
      gatewayRouter = createRouter({
        targets: { device: broken, gpu: remote('gpu') },
        policy: { mode: 'prefer-remote' },
      });
      // These live as long as the gateway, not one case: the per-case afterEach must not dispose them.
      gatewayTargets = disposables.splice(0);
      gateway = createGateway({ router: gatewayRouter });
      url = await gateway.listen({ port: 0 });
    });
    afterAll(async () => {
      await closeAll([
        ['the gateway', gateway && (() => gateway.close({ graceMs: 100 }))],
        ['the gateway router', gatewayRouter && (() => gatewayRouter.dispose())],
        ...gatewayTargets.map((target, index) => [`gateway target ${index}`, target.dispose?.bind(target)] as const),
      ]);
    });

    it.each([
      { model: 'switchyard/auto', stream: false, body: samples[0]!.messages, hints: undefined, status: [502, 503] },
      { model: 'switchyard/auto', stream: true, body: samples[2]!.messages, hints: undefined, status: [502, 503] },
      { model: 'gpu', stream: false, body: samples[3]!.messages, hints: undefined, status: [503] },
      { model: 'gpu', stream: true, body: samples[8]!.messages, hints: { privacy: 'private' }, status: [503] },
      {
        model: 'switchyard/auto',
        stream: true,
        body: samples[8]!.messages,
        hints: { privacy: 'private' },
        status: [502, 503],
      },
      // The corrupt device fails its first load (502, every target failed) and is then excluded as unavailable (503).
    ])('model $model, stream $stream, answers $status with a typed error and sends nothing out', async (testCase) => {
      const response = await httpRequest(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: testCase.model,
          stream: testCase.stream,
          max_tokens: 8,
          messages: testCase.body.map((message) =>
            message.role === 'tool'
              ? { role: 'tool', tool_call_id: message.toolCallId, content: message.content }
              : message.role === 'assistant' && message.toolCalls
                ? {
                    role: 'assistant',
                    content: null,
                    tool_calls: message.toolCalls.map((call) => ({
                      id: call.id,
                      type: 'function',
                      function: { name: call.name, arguments: call.arguments },
                    })),
                  }
                : message,
          ),
          ...(testCase.hints ? { switchyard: testCase.hints } : {}),
        }),
      });
      const body = (await response.body.json()) as { error?: { code?: string } };
      expect(testCase.status).toContain(response.statusCode);
      expect(body.error).toBeDefined();
    });
  });

  describe('control: the tap does see ordinary requests', () => {
    it('a request without personal data falls back to the cloud when the device fails, and the tap records it', async () => {
      const marker = 'ordinary-request-marker-7731';
      router = createRouter({ targets: { device: localTarget('corrupt').target, gpu: remote('gpu') } });
      const result = await router.generate({ messages: [{ role: 'user', content: `Say ${marker}` }], maxTokens: 8 });
      expect(result.route.target).toBe('gpu');
      expect(tap.received().toString('latin1')).toContain(marker);
      expect(proxy.requests.length).toBeGreaterThan(0);
      // Reset so the afterEach zero-byte check applies to the private requests only.
      tap.reset();
      proxy.clearRequests();
    });
  });
});
