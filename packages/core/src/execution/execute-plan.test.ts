import type { GenerateRequest } from '@switchyard/contract';
import {
  AbortError,
  AllTargetsFailedError,
  ApiCallError,
  InvalidRequestError,
  StreamInterruptedError,
  TimeoutError,
} from '@switchyard/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter } from '../create-router.js';
import type { RouterEvents, RouteSummary } from '../events.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens: 64,
  ...extra,
});
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const unavailable503 = () => new ApiCallError({ url: 'http://127.0.0.1:9/v1/chat/completions', status: 503 });
const price = { inputPer1M: 1_000, outputPer1M: 2_000 };

async function collect(stream: AsyncIterable<RouterStreamPart>): Promise<RouterStreamPart[]> {
  const parts: RouterStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}
const textOf = (parts: RouterStreamPart[]) =>
  parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 2000 && !condition(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!condition()) throw new Error('condition not met');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('execution: retries and fallback', () => {
  it('retries a retryable error on the same target, then succeeds', async () => {
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ failWith: unavailable503 }, { text: 'ok' }] });
    const router = createRouter({ targets: { gpu }, policy: { execution: { backoff: { initialMs: 1, maxMs: 1 } } } });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('ok');
    expect(result.route.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'success']);
    expect(result.route.attempts[0]?.error).toMatchObject({ code: 'api-call', isRetryable: true });
    expect(result.route.fallbacks).toBe(0);
  });

  it('moves to the next target on a non-retryable error without retrying, and emits a fallback event', async () => {
    const device = createScriptedTarget({ script: [{ failWith: () => new InvalidRequestError({ problems: [] }) }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'remote' }] });
    const router = createRouter({ targets: { device, gpu } });
    const fallbacks: RouterEvents['fallback'][] = [];
    router.on('fallback', (event) => fallbacks.push(event));
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('remote');
    expect(device.calls).toHaveLength(1);
    expect(result.route).toMatchObject({ target: 'gpu', locality: 'remote', fallbacks: 1 });
    expect(fallbacks).toMatchObject([{ from: 'device', to: 'gpu', error: { code: 'invalid-request' } }]);
  });

  it('honours Retry-After before retrying the same target', async () => {
    vi.useFakeTimers();
    const limited = () => new ApiCallError({ url: 'http://127.0.0.1:9/v1', status: 429, retryAfterMs: 5_000 });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ failWith: limited }, { text: 'after wait' }] });
    const router = createRouter({ targets: { gpu }, policy: { execution: { backoff: { initialMs: 1, maxMs: 1 } } } });
    const pending = router.generate(ask('Hi'));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(gpu.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(gpu.calls).toHaveLength(2);
    expect((await pending).text).toBe('after wait');
  });

  it('treats a stream that ends without finish as a failure, never a silent success', async () => {
    const device = createScriptedTarget({ script: [{ text: 'cut short', omitFinish: true }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'complete' }] });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('complete');
    expect(result.route.attempts[0]?.error?.code).toBe('invalid-response');
  });

  it('throws AllTargetsFailedError with every attempt when everything fails', async () => {
    const device = createScriptedTarget({ script: [{ failWith: reset }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ failWith: unavailable503 }] });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    const error = await router.generate(ask('Hi')).catch((caught: unknown) => caught);
    expect(AllTargetsFailedError.isInstance(error)).toBe(true);
    expect((error as AllTargetsFailedError).attempts.map((attempt) => attempt.target)).toEqual(['device', 'gpu']);
  });

  it('fails over when the first token does not arrive within firstTokenTimeoutMs', async () => {
    const device = createScriptedTarget({ script: [{ hang: true }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'fast' }] });
    const router = createRouter({
      targets: { device, gpu },
      policy: { execution: { retries: 0, firstTokenTimeoutMs: 20 } },
    });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('fast');
    expect(result.route.attempts[0]?.error).toMatchObject({ code: 'timeout' });
    expect(router.stats().device).toMatchObject({ inFlight: 0, queueDepth: 0 });
  });
});

describe('execution: fail-closed privacy', () => {
  const cases = [
    ['an error before the first token', { failWith: reset }, {}],
    ['a break mid-stream', { text: 'one two three', breakAfterChunks: 1 }, {}],
    ['a stream without finish', { text: 'partial', omitFinish: true }, {}],
    ['a first-token timeout', { hang: true }, { firstTokenTimeoutMs: 10 }],
    ['hedging enabled', { failWith: reset, firstTokenDelayMs: 20 }, { hedgeAfterMs: 1 }],
    [
      'a retryable error with retries left',
      { failWith: unavailable503 },
      { retries: 2, backoff: { initialMs: 1, maxMs: 1 } },
    ],
  ] as const;

  it.each(cases)('never falls back to a remote target after %s', async (_name, step, execution) => {
    const device = createScriptedTarget({ locality: 'local', script: [step] });
    const backup = createScriptedTarget({ locality: 'local', script: [step] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'leaked' }] });
    const router = createRouter({
      targets: { device, gpu, backup },
      // midStream 'restart' fails over the most (to targets that cannot continue too): the strictest privacy check.
      policy: {
        mode: 'prefer-remote',
        execution: { backoff: { initialMs: 1, maxMs: 1 }, midStream: 'restart', ...execution },
      },
    });
    for (const request of [
      ask('Hi', { routing: { privacy: 'private' } }),
      ask('My email is ada@example.org, draft a reply'),
    ]) {
      const error = await collect(router.stream(request)).catch((caught: unknown) => caught);
      // A break after text ends with the text delivered (StreamInterruptedError); otherwise every target failed.
      expect(AllTargetsFailedError.isInstance(error) || StreamInterruptedError.isInstance(error)).toBe(true);
      expect((error as AllTargetsFailedError).attempts.every((attempt) => attempt.target !== 'gpu')).toBe(true);
    }
    expect(gpu.calls).toHaveLength(0);
    expect(device.calls.length).toBeGreaterThan(0);
    expect(backup.calls.length).toBeGreaterThan(0);
  });
});

describe('execution: hedging', () => {
  it('starts the next target when the primary is slow; the first token wins and the loser is cancelled but billed', async () => {
    const slow = createScriptedTarget({
      locality: 'remote',
      capabilities: { price },
      script: [{ firstTokenDelayMs: 60_000, text: 'too late' }],
    });
    const quick = createScriptedTarget({
      locality: 'remote',
      capabilities: { price },
      script: [{ text: 'quick answer' }],
    });
    const router = createRouter({
      targets: { slow, quick },
      policy: { mode: 'remote-only', execution: { hedgeAfterMs: 5 } },
    });
    const hedges: RouterEvents['hedge'][] = [];
    router.on('hedge', (event) => hedges.push(event));
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('quick answer');
    expect(result.route.hedged).toBe(true);
    expect(result.route.target).toBe('quick');
    const [loser, winner] = result.route.attempts;
    expect(loser).toMatchObject({ target: 'slow', outcome: 'hedge-lost', usageEstimated: true });
    expect(loser?.usage?.inputTokens).toBeGreaterThan(0);
    expect(winner).toMatchObject({ target: 'quick', outcome: 'success' });
    expect(winner?.usage?.outputTokens).toBe(2);
    expect(result.route.costUsd).toBeCloseTo((loser?.costUsd ?? 0) + (winner?.costUsd ?? 0), 10);
    expect(loser?.costUsd).toBeGreaterThan(0);
    expect(router.stats().slow?.spentUsd).toBe(loser?.costUsd);
    expect(hedges).toHaveLength(2);
    expect(hedges[0]).toMatchObject({ primary: 'slow', secondary: 'quick' });
    expect(hedges[0]?.winner).toBeUndefined();
    expect(hedges[1]).toMatchObject({ primary: 'slow', secondary: 'quick', winner: 'quick' });
    await waitFor(() => slow.active === 0);
  });

  it('keeps the primary when it produces a token first and cancels the hedge', async () => {
    const primary = createScriptedTarget({ locality: 'remote', script: [{ firstTokenDelayMs: 30, text: 'primary' }] });
    const secondary = createScriptedTarget({ locality: 'remote', script: [{ firstTokenDelayMs: 60_000 }] });
    const router = createRouter({
      targets: { primary, secondary },
      policy: { mode: 'remote-only', execution: { hedgeAfterMs: 1 } },
    });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('primary');
    expect(result.route.attempts.map((attempt) => [attempt.target, attempt.outcome])).toEqual([
      ['primary', 'success'],
      ['secondary', 'hedge-lost'],
    ]);
    await waitFor(() => secondary.active === 0);
  });
});

describe('execution: mid-stream failover', () => {
  const full = 'The quick brown fox jumps over the lazy dog.';

  it('continues on a target that supports continuation, emitting only new text', async () => {
    const device = createScriptedTarget({ script: [{ text: full, breakAfterChunks: 3 }] });
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { continuation: true },
      script: [{ text: full }],
    });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    const parts = await collect(router.stream(ask('Tell me about foxes')));
    expect(parts[0]).toMatchObject({ type: 'route', phase: 'decision' });
    expect(parts.at(-1)).toMatchObject({ type: 'route', phase: 'summary', route: { target: 'gpu', fallbacks: 1 } });
    expect(parts.at(-2)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(parts.filter((part) => part.type === 'failover')).toEqual([
      expect.objectContaining({ from: 'device', to: 'gpu', mode: 'continue' }),
    ]);
    expect(textOf(parts)).toBe(full);
    expect(gpu.calls[0]?.assistantPrefix).toBe('The quick brown ');
    const generated = await router.generate(ask('Tell me about foxes'));
    expect(generated.text).toBe(full);
  });

  it('fails over a stream that stalls after its first token (stallTimeoutMs), continuing the partial answer', async () => {
    const device = createScriptedTarget({ script: [{ text: full, chunkDelayMs: 60_000 }] });
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { continuation: true },
      script: [{ text: full }],
    });
    const router = createRouter({
      targets: { device, gpu },
      policy: { execution: { retries: 0, stallTimeoutMs: 30 } },
    });
    const result = await router.generate(ask('Tell me about foxes'));
    expect(result.text).toBe(full);
    expect(result.route.attempts[0]).toMatchObject({ target: 'device', error: { code: 'timeout' } });
    expect(result.route.attempts[0]?.error?.message).toContain('(stall)');
    expect(gpu.calls[0]?.assistantPrefix).toBe('The ');
    await waitFor(() => device.active === 0);
  });

  it('does not count a slow consumer as a stalled target', async () => {
    const device = createScriptedTarget({ script: [{ text: 'one two three' }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'remote' }] });
    const router = createRouter({
      targets: { device, gpu },
      policy: { execution: { retries: 0, stallTimeoutMs: 20 } },
    });
    const parts: RouterStreamPart[] = [];
    for await (const part of router.stream(ask('Hi'))) {
      parts.push(part);
      if (part.type === 'text-delta') await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(textOf(parts)).toBe('one two three');
    expect(parts.some((part) => part.type === 'failover')).toBe(false);
    expect(gpu.calls).toHaveLength(0);
  });

  it('emits a visible restart only when midStream is "restart", and generate() keeps only the new answer', async () => {
    const device = createScriptedTarget({ script: [{ text: 'draft one two', breakAfterChunks: 2 }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'final answer' }] });
    const router = createRouter({
      targets: { device, gpu },
      policy: { execution: { retries: 0, midStream: 'restart' } },
    });
    const parts = await collect(router.stream(ask('Hi')));
    const failover = parts.findIndex((part) => part.type === 'failover');
    expect(parts[failover]).toMatchObject({ mode: 'restart', from: 'device', to: 'gpu' });
    expect(textOf(parts.slice(0, failover))).toBe('draft one ');
    expect(textOf(parts.slice(failover))).toBe('final answer');
    expect(gpu.calls[0]?.assistantPrefix).toBeUndefined();
    expect(parts.at(-1)).toMatchObject({
      route: { failovers: [{ from: 'device', to: 'gpu', mode: 'restart', afterChars: 10 }] },
    });
    expect((await router.generate(ask('Hi'))).text).toBe('final answer');
  });

  it('by default never sends text twice: a break with no fallback that can continue is a StreamInterruptedError', async () => {
    const device = createScriptedTarget({ script: [{ text: full, breakAfterChunks: 3 }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: full }] });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    const seen: RouterStreamPart[] = [];
    const error = await (async () => {
      for await (const part of router.stream(ask('Tell me about foxes'))) seen.push(part);
    })().catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    const interrupted = error as StreamInterruptedError<RouteSummary>;
    // What a consumer that concatenates text-delta parts shows: the first words once, nothing after them.
    expect(textOf(seen)).toBe('The quick brown ');
    expect(interrupted.partialText).toBe('The quick brown ');
    expect(interrupted.reason).toBe('no-continuation');
    expect(interrupted.skipped).toEqual(['gpu']);
    expect(interrupted.attempts.map((attempt) => [attempt.target, attempt.error.code])).toEqual([
      ['device', 'connection'],
    ]);
    expect(interrupted.route?.attempts.map((attempt) => attempt.target)).toEqual(['device']);
    expect(interrupted.route?.plan.plan.map((entry) => entry.target)).toEqual(['device', 'gpu']);
    expect(interrupted.message).toContain('"gpu" cannot');
    expect(seen.some((part) => part.type === 'failover')).toBe(false);
    expect(gpu.calls).toHaveLength(0);
  });

  it('by default skips a fallback that cannot continue and continues on the next one that can', async () => {
    const device = createScriptedTarget({ script: [{ text: full, breakAfterChunks: 3 }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: full }] });
    const cloud = createScriptedTarget({
      locality: 'remote',
      capabilities: { continuation: true },
      script: [{ text: full }],
    });
    const router = createRouter({
      targets: { device, gpu, cloud },
      policy: { mode: 'prefer-local', execution: { retries: 0 } },
    });
    const parts = await collect(router.stream(ask('Tell me about foxes')));
    expect(textOf(parts)).toBe(full);
    expect(parts.filter((part) => part.type === 'failover')).toEqual([
      expect.objectContaining({ from: 'device', to: 'cloud', mode: 'continue' }),
    ]);
    expect(gpu.calls).toHaveLength(0);
    expect(cloud.calls[0]?.assistantPrefix).toBe('The quick brown ');
  });

  it.each([
    ['a stream that ends without finish', { text: full, breakAfterChunks: undefined, omitFinish: true }, {}],
    ['a stall after the first token', { text: full, chunkDelayMs: 60_000 }, { stallTimeoutMs: 30 }],
    ['a reset mid-stream, after a retry of the same target', { text: full, breakAfterChunks: 2 }, { retries: 1 }],
  ])(
    'by default ends %s with the exact partial text and a typed error, never a restart',
    async (_name, step, execution) => {
      const device = createScriptedTarget({ script: [step] });
      const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: full }] });
      const router = createRouter({
        targets: { device, gpu },
        policy: { execution: { backoff: { initialMs: 1, maxMs: 1 }, ...execution } },
      });
      let text = '';
      const error = await (async () => {
        for await (const part of router.stream(ask('Tell me about foxes')))
          if (part.type === 'text-delta') text += part.text;
      })().catch((caught: unknown) => caught);
      if (!StreamInterruptedError.isInstance(error)) throw error;
      expect(full.startsWith(text)).toBe(true);
      expect(text.length).toBeGreaterThan(0);
      expect(error.partialText).toBe(text);
      expect(gpu.calls).toHaveLength(0);
      await waitFor(() => device.active === 0);
    },
  );

  it('asks a target whose continuation is unknown through its status check, once, and continues when it can', async () => {
    const device = createScriptedTarget({ script: [{ text: full, breakAfterChunks: 3 }] });
    const gpu = createScriptedTarget({
      locality: 'remote',
      script: [{ text: full }],
      checkStatus: () => {
        // What adapter-openai does: the status check detects the server type and fills in the capability.
        gpu.capabilities.continuation = true;
        return { state: 'ready' };
      },
    });
    expect(gpu.capabilities.continuation).toBeUndefined();
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    expect(textOf(await collect(router.stream(ask('Tell me about foxes'))))).toBe(full);
    expect(gpu.statusChecks).toBe(1);
    device.setScript([{ text: full, breakAfterChunks: 2 }]);
    expect(textOf(await collect(router.stream(ask('Tell me about foxes'))))).toBe(full);
    expect(gpu.statusChecks).toBe(1);
  });

  it('with midStream "error" never fails over after the first token, even to a target that can continue', async () => {
    const device = createScriptedTarget({ script: [{ text: full, breakAfterChunks: 3 }] });
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { continuation: true },
      script: [{ text: full }],
    });
    const router = createRouter({
      targets: { device, gpu },
      policy: { execution: { retries: 0, midStream: 'error' } },
    });
    const error = await collect(router.stream(ask('Tell me about foxes'))).catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(error) && error.reason).toBe('mid-stream-error');
    await expect(router.generate(ask('Tell me about foxes'))).rejects.toSatisfy(StreamInterruptedError.isInstance);
    expect(gpu.calls).toHaveLength(0);
  });

  it('ends with the partial text when the continuing target breaks too and nothing is left', async () => {
    const device = createScriptedTarget({ script: [{ text: full, breakAfterChunks: 3 }] });
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { continuation: true },
      script: [{ text: full, breakAfterChunks: 2 }],
    });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    let text = '';
    const error = await (async () => {
      for await (const part of router.stream(ask('Tell me about foxes')))
        if (part.type === 'text-delta') text += part.text;
    })().catch((caught: unknown) => caught);
    expect(text).toBe('The quick brown fox jumps ');
    expect(StreamInterruptedError.isInstance(error) && error.partialText).toBe(text);
    expect((error as StreamInterruptedError).attempts.map((attempt) => attempt.target)).toEqual(['device', 'gpu']);
  });

  it('takes midStream per call, so a caller that cannot retract text overrides a policy of "restart"', async () => {
    const device = createScriptedTarget({ script: [{ text: full, breakAfterChunks: 3 }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: full }] });
    const router = createRouter({
      targets: { device, gpu },
      policy: { execution: { retries: 0, midStream: 'restart' } },
    });
    const error = await collect(router.stream(ask('Tell me about foxes'), { midStream: 'continue' })).catch(
      (caught: unknown) => caught,
    );
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(gpu.calls).toHaveLength(0);
    const bad = await collect(router.stream(ask('Hi'), { midStream: 'sometimes' as unknown as 'continue' })).catch(
      (caught: unknown) => caught,
    );
    expect(InvalidRequestError.isInstance(bad) && bad.message).toContain('options.midStream');
  });

  it('generate() restarts internally on a target that cannot continue, and the route says so', async () => {
    const device = createScriptedTarget({ script: [{ text: 'draft one two', breakAfterChunks: 2 }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'final answer' }] });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('final answer');
    expect(result.route.failovers).toEqual([{ from: 'device', to: 'gpu', mode: 'restart', afterChars: 10 }]);
  });

  it('never emits a tool call twice: after a tool call it does not fail over', async () => {
    const toolCall = { id: 'call_1', name: 'lookup', arguments: '{}' };
    const device = createScriptedTarget({ script: [{ text: 'x', toolCalls: [toolCall], omitFinish: true }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ toolCalls: [toolCall] }] });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    const seen: RouterStreamPart[] = [];
    const error = await (async () => {
      for await (const part of router.stream(ask('Hi'))) seen.push(part);
    })().catch((caught: unknown) => caught);
    expect(AllTargetsFailedError.isInstance(error)).toBe(true);
    expect(seen.filter((part) => part.type === 'tool-call')).toHaveLength(1);
    expect(gpu.calls).toHaveLength(0);
  });
});

describe('execution: circuit breaker', () => {
  it('opens after failureThreshold failures, half-opens after cooldown, and closes on a successful probe', async () => {
    let now = Date.UTC(2026, 0, 1);
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ failWith: reset }] });
    const router = createRouter({
      targets: { gpu },
      clock: () => now,
      policy: { execution: { retries: 0, circuit: { failureThreshold: 2, windowMs: 10_000, cooldownMs: 5_000 } } },
    });
    const transitions: string[] = [];
    router.on('circuit', (event) => transitions.push(`${event.from}->${event.to}`));
    await expect(router.generate(ask('Hi'))).rejects.toThrow();
    expect(router.stats().gpu?.circuit).toBe('closed');
    await expect(router.generate(ask('Hi'))).rejects.toThrow();
    expect(router.stats().gpu?.circuit).toBe('open');
    await expect(router.generate(ask('Hi'))).rejects.toMatchObject({ code: 'no-eligible-target' });
    expect(gpu.calls).toHaveLength(2);

    now += 5_000;
    expect(router.stats().gpu?.circuit).toBe('half-open');
    await expect(router.generate(ask('Hi'))).rejects.toThrow(); // the probe fails: open again
    expect(router.stats().gpu?.circuit).toBe('open');

    now += 5_000;
    gpu.setScript([{ text: 'healthy' }]);
    expect((await router.generate(ask('Hi'))).text).toBe('healthy');
    expect(router.stats().gpu?.circuit).toBe('closed');
    expect(transitions).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
      'half-open->closed',
    ]);
  });
});

describe('execution: circuit breaker switched off', () => {
  it('with enabled: false never opens: every request reaches the failing target and no circuit event fires', async () => {
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ failWith: reset }] });
    const router = createRouter({
      targets: { gpu },
      policy: { execution: { retries: 0, circuit: { enabled: false, failureThreshold: 1 } } },
    });
    const transitions: string[] = [];
    router.on('circuit', (event) => transitions.push(`${event.from}->${event.to}`));
    for (let index = 0; index < 5; index++) await expect(router.generate(ask('Hi'))).rejects.toThrow();
    expect(gpu.calls).toHaveLength(5);
    expect(router.stats().gpu?.circuit).toBe('closed');
    expect(transitions).toEqual([]);
    gpu.setScript([{ text: 'healthy' }]);
    expect((await router.generate(ask('Hi'))).text).toBe('healthy');
  });
});

describe('execution: cancellation and deadlines', () => {
  function setup() {
    const device = createScriptedTarget({ script: [{ text: 'one two three four', chunkDelayMs: 60_000 }] });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'remote' }] });
    const router = createRouter({
      targets: { device, gpu },
      policy: { execution: { backoff: { initialMs: 60_000, maxMs: 60_000 } } },
    });
    return { device, gpu, router };
  }
  const expectClean = async (
    router: ReturnType<typeof setup>['router'],
    device: ReturnType<typeof setup>['device'],
  ) => {
    await waitFor(() => device.active === 0);
    expect(router.stats().device).toMatchObject({ inFlight: 0, queueDepth: 0 });
    device.setScript([{ text: 'free again' }]);
    expect((await router.generate(ask('Hi'))).text).toBe('free again');
  };

  it('rejects an already-aborted request with AbortError without calling any target', async () => {
    const { router, device, gpu } = setup();
    const controller = new AbortController();
    controller.abort();
    await expect(router.generate(ask('Hi', { signal: controller.signal }))).rejects.toSatisfy(AbortError.isInstance);
    expect(device.calls.length + gpu.calls.length).toBe(0);
  });

  it('frees the queue slot when aborted while waiting in the local queue', async () => {
    const { router, device, gpu } = setup();
    device.setScript([{ hang: true }]);
    const first = new AbortController();
    const second = new AbortController();
    const running = router.generate(ask('Hi', { signal: first.signal }));
    const waiting = router.generate(ask('Hi', { signal: second.signal }));
    await waitFor(() => router.stats().device?.queueDepth === 1);
    second.abort();
    await expect(waiting).rejects.toSatisfy(AbortError.isInstance);
    expect(router.stats().device?.queueDepth).toBe(0);
    first.abort();
    await expect(running).rejects.toSatisfy(AbortError.isInstance);
    expect(gpu.calls).toHaveLength(0);
    await expectClean(router, device);
  });

  it('cancels before the first token and never fails over', async () => {
    const { router, device, gpu } = setup();
    device.setScript([{ hang: true }]);
    const controller = new AbortController();
    const pending = router.generate(ask('Hi', { signal: controller.signal }));
    await waitFor(() => device.active === 1);
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(gpu.calls).toHaveLength(0);
    await expectClean(router, device);
  });

  it('cancels mid-stream, both by the signal and by breaking out of the loop', async () => {
    const { router, device, gpu } = setup();
    const controller = new AbortController();
    const parts: RouterStreamPart[] = [];
    const error = await (async () => {
      for await (const part of router.stream(ask('Hi', { signal: controller.signal }))) {
        parts.push(part);
        if (part.type === 'text-delta') controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(textOf(parts)).toBe('one ');
    await expectClean(router, device);

    device.setScript([{ text: 'one two three four', chunkDelayMs: 60_000 }]);
    for await (const part of router.stream(ask('Hi'))) if (part.type === 'text-delta') break;
    await expectClean(router, device);
    expect(gpu.calls).toHaveLength(0);
  });

  it('is pulled as an async generator is: next() and return() called while a part is pending wait for it in order', async () => {
    const { router, device } = setup();
    device.setScript([{ text: 'one two three', chunkDelayMs: 20 }]);
    const parts = router.stream(ask('Hi'))[Symbol.asyncIterator]();
    const [decision, first] = await Promise.all([parts.next(), parts.next()]);
    expect(decision.value).toMatchObject({ type: 'route', phase: 'decision' });
    expect(first.value).toEqual({ type: 'text-delta', text: 'one ' });
    const pending = parts.next();
    const returned = parts.return?.();
    expect((await pending).value).toEqual({ type: 'text-delta', text: 'two ' });
    expect(await returned).toEqual({ value: undefined, done: true });
    expect(await parts.next()).toEqual({ value: undefined, done: true });
    await expectClean(router, device);
  });

  it('ends after an error: the failing next() rejects, the ones after it are done', async () => {
    const { router, device, gpu } = setup();
    device.setScript([{ failWith: () => new InvalidRequestError({ problems: [] }) }]);
    gpu.setScript([{ failWith: () => new InvalidRequestError({ problems: [] }) }]);
    const parts = router.stream(ask('Hi'))[Symbol.asyncIterator]();
    expect((await parts.next()).value).toMatchObject({ type: 'route', phase: 'decision' });
    const error = await parts.next().catch((caught: unknown) => caught);
    expect(AllTargetsFailedError.isInstance(error)).toBe(true);
    expect(await parts.next()).toEqual({ value: undefined, done: true });
    expect(await parts.return?.()).toEqual({ value: undefined, done: true });
    await expectClean(router, device);
  });

  it('cancels during a retry backoff', async () => {
    const { router, device, gpu } = setup();
    device.setScript([{ failWith: reset }]);
    const controller = new AbortController();
    const attempts: string[] = [];
    router.on('attempt', (event) => attempts.push(event.phase));
    const pending = router.generate(ask('Hi', { signal: controller.signal }));
    await waitFor(() => attempts.includes('end'));
    controller.abort();
    await expect(pending).rejects.toSatisfy(AbortError.isInstance);
    expect(gpu.calls).toHaveLength(0);
    expect(device.calls).toHaveLength(1);
    await expectClean(router, device);
  });

  it('bounds the whole request by routing.deadlineMs with a TimeoutError and no failover', async () => {
    const { router, device, gpu } = setup();
    device.setScript([{ hang: true }]);
    const error = await router.generate(ask('Hi', { routing: { deadlineMs: 20 } })).catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).phase).toBe('deadline');
    expect(gpu.calls).toHaveLength(0);
    await expectClean(router, device);
  });
});

describe('execution: targets that ignore their abort signal', () => {
  it('still ends a request at its deadline, and still fails over on a first-token timeout', async () => {
    const base = createScriptedTarget({ id: 'stubborn' });
    let calls = 0;
    // A target whose stream never produces a part and never looks at call.signal.
    const stubborn = {
      ...base,
      stream: () => ({
        [Symbol.asyncIterator]: () => ({
          next: () => {
            calls += 1;
            return new Promise<never>(() => {});
          },
        }),
      }),
    };
    const alone = createRouter({ targets: { stubborn } });
    const error = await alone.generate(ask('Hi', { routing: { deadlineMs: 20 } })).catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error) && error.phase).toBe('deadline');

    const backup = createScriptedTarget({ locality: 'remote', script: [{ text: 'from the backup' }] });
    const router = createRouter({
      targets: { stubborn, backup },
      policy: { execution: { firstTokenTimeoutMs: 20, retries: 0 } },
    });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('from the backup');
    expect(result.route.attempts.map((attempt) => [attempt.target, attempt.error?.code])).toEqual([
      ['stubborn', 'timeout'],
      ['backup', undefined],
    ]);
    expect(calls).toBe(2);
  });
});

describe('execution: budgets, stats and events', () => {
  it('tracks spend over a period from actual usage and excludes remote targets until the next period', async () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const device = createScriptedTarget({
      status: { state: 'unavailable', code: 'model-missing', reason: 'no model' },
    });
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { price: { inputPer1M: 0, outputPer1M: 1_000_000 } },
      script: [{ text: 'one two', usage: { inputTokens: 10, outputTokens: 2 } }],
    });
    // The estimate for maxTokens 1 is $1; each call actually reports 2 output tokens, so it costs $2.
    const router = createRouter({
      targets: { device, gpu },
      clock: () => now,
      policy: { budget: { maxCostUsd: { amount: 5, period: 'day' } } },
    });
    const request = ask('Hi', { maxTokens: 1 });
    expect((await router.generate(request)).route.costUsd).toBe(2);
    await router.generate(request);
    now = Date.UTC(2026, 0, 1, 23, 59);
    await router.generate(request); // $1 left covers the $1 estimate; actual spend ($2) is what counts
    expect(router.stats().gpu?.spentUsd).toBe(6);
    const plan = router.plan(request);
    expect(plan.excluded).toContainEqual({
      target: 'gpu',
      reason: 'budget',
      detail: 'estimated $1.00 exceeds the $0.00 left',
    });
    await expect(router.generate(request)).rejects.toMatchObject({
      code: 'budget-exceeded',
      scope: 'period',
      limitUsd: 5,
    });
    now = Date.UTC(2026, 0, 2, 0, 1);
    expect(router.plan(request).plan.map((entry) => entry.target)).toEqual(['gpu']);
  });

  it('measures live per-target figures', async () => {
    const device = createScriptedTarget({ script: [{ text: 'a b c d', chunkDelayMs: 2 }] });
    const router = createRouter({ targets: { device } });
    await router.generate(ask('Hi'));
    const stats = router.stats().device;
    expect(stats).toMatchObject({
      locality: 'local',
      requests: 1,
      failures: 0,
      errorRate: 0,
      inFlight: 0,
      circuit: 'closed',
    });
    expect(stats?.ttftMsEwma).toBeGreaterThanOrEqual(0);
    expect(stats?.tokensPerSecondEwma).toBeGreaterThan(0);
  });

  it('keeps prompt text out of events unless includePromptsInEvents is set', async () => {
    const secret = 'my password is hunter2-hunter2';
    for (const includePromptsInEvents of [false, true]) {
      const router = createRouter({ targets: { device: createScriptedTarget() }, includePromptsInEvents });
      const seen: unknown[] = [];
      for (const name of ['decision', 'attempt', 'fallback', 'hedge', 'circuit'] as const) {
        router.on(name, (event) => seen.push(event));
      }
      await router.generate(ask(secret));
      expect(seen.length).toBeGreaterThan(0);
      expect(JSON.stringify(seen).includes('hunter2')).toBe(includePromptsInEvents);
    }
  });

  it('validates requests with the contract parser', async () => {
    const router = createRouter({ targets: { device: createScriptedTarget() } });
    const bad = { messages: [{ role: 'robot', content: 'x' }] } as unknown as GenerateRequest;
    await expect(router.generate(bad)).rejects.toThrow(/messages\[0\]\.role/);
  });
});
