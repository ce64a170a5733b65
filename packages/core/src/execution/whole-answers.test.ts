import type { GenerateRequest } from '@switchyard/contract';
import { ApiCallError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import type { PolicyInput } from '../policy/policy.js';
import type { ScriptedTargetSettings } from '../testing/create-scripted-target.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// router.generate() asks a target that declares `capabilities.wholeAnswers` through target.generate() (one JSON body
// for an OpenAI-compatible endpoint) when nothing needs the first token; otherwise it streams as before.

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens: 64,
  ...extra,
});
const unavailable503 = () => new ApiCallError({ url: 'http://127.0.0.1:9/v1/chat/completions', status: 503 });

/** A scripted remote target offering whole answers, counting which method the router called. */
function counted(settings: ScriptedTargetSettings, wholeAnswers = true) {
  const target = createScriptedTarget({
    locality: 'remote',
    ...settings,
    capabilities: { ...settings.capabilities, wholeAnswers },
  });
  const calls = { generate: 0, stream: 0 };
  const generate = target.generate.bind(target);
  const stream = target.stream.bind(target);
  target.generate = (call) => {
    calls.generate += 1;
    return generate(call);
  };
  target.stream = (call) => {
    calls.stream += 1;
    return stream(call);
  };
  return { target, calls };
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 2000 && !condition(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!condition()) throw new Error('condition not met');
}

describe('execution: whole answers for generate()', () => {
  it('asks a target that offers it for its whole answer, and reports no time to first token', async () => {
    const toolCall = { id: 'call_1', name: 'lookup', arguments: '{"q":1}' };
    const gpu = counted({ script: [{ text: ['Hello', ' there'], toolCalls: [toolCall], finishReason: 'tool-calls' }] });
    const router = createRouter({ targets: { gpu: gpu.target } });
    const result = await router.generate(ask('Hi'));
    expect(gpu.calls).toEqual({ generate: 1, stream: 0 });
    expect(result).toMatchObject({
      text: 'Hello there',
      toolCalls: [toolCall],
      finishReason: 'tool-calls',
      route: { target: 'gpu', attempts: [{ target: 'gpu', outcome: 'success' }] },
    });
    expect(result.route.ttftMs).toBeUndefined();
    expect(result.route.tokensPerSecond).toBeUndefined();
    expect(result.route.attempts[0]?.ttftMs).toBeUndefined();
    // The planner still learns from its duration (see 'learns how long a whole answer takes' below); no decode speed.
    expect(router.stats().gpu?.ttftMsEwma).toBeDefined();
    expect(router.stats().gpu?.tokensPerSecondEwma).toBeUndefined();
  });

  it('streams when the caller streams, when a timer or a hedge needs the first token, or the target does not offer it', async () => {
    const cases: { policy: PolicyInput; stream?: true; wholeAnswers?: false }[] = [
      { policy: {}, stream: true },
      { policy: { execution: { firstTokenTimeoutMs: 5_000 } } },
      { policy: { execution: { stallTimeoutMs: 5_000 } } },
      { policy: { execution: { hedgeAfterMs: 5_000 } } },
      { policy: {}, wholeAnswers: false },
    ];
    for (const { policy, stream, wholeAnswers } of cases) {
      const first = counted({ script: [{ text: 'one' }] }, wholeAnswers);
      const second = counted({ script: [{ text: 'two' }] }, wholeAnswers);
      const router = createRouter({ targets: { first: first.target, second: second.target }, policy });
      let text = '';
      if (stream) {
        for await (const part of router.stream(ask('Hi'))) if (part.type === 'text-delta') text += part.text;
      } else text = (await router.generate(ask('Hi'))).text;
      expect(text).toBe('one');
      expect({ policy, wholeAnswers, calls: first.calls }).toEqual({
        policy,
        wholeAnswers,
        calls: { generate: 0, stream: 1 },
      });
    }
  });

  it('answers whole with a hedge policy when there is nothing to hedge with (one target)', async () => {
    const gpu = counted({ script: [{ text: 'alone' }] });
    const router = createRouter({ targets: { gpu: gpu.target }, policy: { execution: { hedgeAfterMs: 5_000 } } });
    expect((await router.generate(ask('Hi'))).text).toBe('alone');
    expect(gpu.calls).toEqual({ generate: 1, stream: 0 });
  });

  it('retries and falls back from a whole answer that fails, with each failure in the route', async () => {
    const a = counted({ script: [{ failWith: unavailable503 }] });
    const b = counted({ script: [{ text: 'from b' }] });
    const router = createRouter({
      targets: { a: a.target, b: b.target },
      policy: { mode: 'prefer-remote', execution: { retries: 1, backoff: { initialMs: 1, maxMs: 1 } } },
    });
    const result = await router.generate(ask('Hi'));
    expect(result.text).toBe('from b');
    expect(result.route.attempts.map((attempt) => [attempt.target, attempt.outcome, attempt.error?.code])).toEqual([
      ['a', 'error', 'api-call'],
      ['a', 'error', 'api-call'],
      ['b', 'success', undefined],
    ]);
    expect(result.route.failovers).toBeUndefined();
    expect({ a: a.calls, b: b.calls }).toEqual({ a: { generate: 2, stream: 0 }, b: { generate: 1, stream: 0 } });
  });

  it('ends a whole-answer call that never answers at the request timeout, the deadline, or the caller abort', async () => {
    // The attempt's own timeout fails the attempt (no target left: AllTargetsFailedError naming it); the deadline and
    // the caller's abort end the request itself.
    const outcomes = [
      { execution: { timeoutMs: 30 }, extra: () => ({}), code: 'all-targets-failed', attempt: 'timeout' },
      { execution: {}, extra: () => ({ routing: { deadlineMs: 30 } }), code: 'timeout', attempt: 'timeout' },
      { execution: {}, extra: () => ({ signal: AbortSignal.timeout(30) }), code: 'abort', attempt: undefined },
    ];
    for (const { execution, extra, code, attempt } of outcomes) {
      const gpu = counted({ script: [{ hang: true }] });
      const router = createRouter({
        targets: { gpu: gpu.target },
        policy: { execution: { retries: 0, ...execution } },
      });
      const failure = await router.generate(ask('Hi', extra())).catch((caught: unknown) => caught);
      expect(failure).toMatchObject({ code });
      if (attempt !== undefined && code === 'all-targets-failed') {
        expect(failure).toMatchObject({ attempts: [{ target: 'gpu', error: { code: attempt } }] });
      }
      expect(gpu.calls).toEqual({ generate: 1, stream: 0 });
      // The target's call was cancelled through its signal, and nothing is left in flight.
      expect(gpu.target.calls[0]?.signal?.aborted).toBe(true);
      await waitFor(() => gpu.target.active === 0);
      expect(router.stats().gpu?.inFlight).toBe(0);
    }
  });

  it('counts usage and cost as a stream would: reported usage, else an estimate', async () => {
    const price = { inputPer1M: 1_000, outputPer1M: 2_000 };
    const reported = counted({
      capabilities: { price },
      script: [{ text: 'paid answer', usage: { inputTokens: 10, outputTokens: 5 } }],
    });
    const router = createRouter({ targets: { gpu: reported.target } });
    const result = await router.generate(ask('Hi'));
    expect(reported.calls.generate).toBe(1);
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
    expect(result.route.costUsd).toBeCloseTo((10 * 1_000 + 5 * 2_000) / 1e6);
    expect(router.stats().gpu?.spentUsd).toBeCloseTo(result.route.costUsd);

    // No usage reported (the scripted generate() answers without `usage`, as for an OpenAI body without one): estimated.
    const unreported = counted({ capabilities: { price }, script: [{ text: 'paid answer', usage: false }] });
    const estimating = createRouter({ targets: { gpu: unreported.target } });
    const estimated = await estimating.generate(ask('Hi'));
    expect(unreported.calls.generate).toBe(1);
    expect(estimated.route.attempts[0]).toMatchObject({ usageEstimated: true });
    expect(estimated).toMatchObject({ usageEstimated: true, route: { usageEstimated: true } });
    expect(estimated.usage.outputTokens).toBe(Math.ceil('paid answer'.length / 4));
    expect(estimated.route.costUsd).toBeGreaterThan(0);
  });

  it.each([true, false])(
    'charges its estimate, not $0, when a target reports 0 tokens for an answer with text (whole answers: %s)',
    async (wholeAnswers) => {
      // An adapter written before usage could be left out reads missing counts as 0; the router does not believe it.
      const price = { inputPer1M: 1_000, outputPer1M: 2_000 };
      const zero = counted(
        { capabilities: { price }, script: [{ text: 'paid answer', usage: { inputTokens: 0, outputTokens: 0 } }] },
        wholeAnswers,
      );
      const router = createRouter({ targets: { gpu: zero.target } });
      const answer = await router.generate(ask('Hi'));
      expect(answer).toMatchObject({ usageEstimated: true, route: { attempts: [{ usageEstimated: true }] } });
      expect(answer.usage.outputTokens).toBeGreaterThan(0);
      expect(answer.route.costUsd).toBeGreaterThan(0);
      const parts = [];
      for await (const part of router.stream(ask('Hi'))) parts.push(part);
      expect(parts.filter((part) => part.type === 'usage')).toEqual([]);
      expect(parts.at(-1)).toMatchObject({ type: 'route', route: { usageEstimated: true } });
    },
  );

  it('learns how long a whole answer takes: a slow target loses its rank to a fast one, a fast one is not penalised', async () => {
    // A fake clock the targets advance by their answer's duration, so the learning is exact and nothing sleeps.
    let now = 1_000_000;
    /** A whole-answer target whose every answer takes `durationMs` and is 40 tokens (0.5 s at the remote prior 80 tok/s). */
    const timed = (durationMs: number) => {
      const made = counted({ script: () => ({ text: 'answer', usage: { inputTokens: 5, outputTokens: 40 } }) });
      const generate = made.target.generate.bind(made.target);
      made.target.generate = (call) => {
        now += durationMs;
        return generate(call);
      };
      return made;
    };
    const slow = timed(3_000);
    const fast = timed(700);
    // Both remote with the same priors: a tie, which declaration order gives to `slow` until something is learned.
    const router = createRouter({
      targets: { slow: slow.target, fast: fast.target },
      policy: { mode: 'auto' },
      clock: () => now,
    });
    const served: (string | undefined)[] = [];
    for (let index = 0; index < 5; index += 1) served.push((await router.generate(ask('Hi'))).route.target);
    expect(served).toEqual(['slow', 'fast', 'fast', 'fast', 'fast']);
    expect(slow.calls).toEqual({ generate: 1, stream: 0 });
    // Each answer's duration less 40 tokens at 80 tok/s: 3000 - 500 and 700 - 500. The fast target's estimate is below
    // the 600 ms prior, not its whole 700 ms: its decode is not counted twice.
    expect(router.stats().slow?.ttftMsEwma).toBe(2_500);
    expect(router.stats().fast?.ttftMsEwma).toBe(200);
    // Whole answers measure no decode speed: the prior (or a streamed measurement) stays the rate.
    expect(router.stats().fast?.tokensPerSecondEwma).toBeUndefined();
  });

  it('learns a whole answer against the decode rate it expects: configured, else measured from streams', async () => {
    let now = 1_000_000;
    /** A whole-answer target whose answers are 100 tokens; generate() takes 2 s, a stream 0.5 s per part. */
    const made = () => {
      const gpu = counted({ script: () => ({ text: ['one', ' two'], usage: { inputTokens: 5, outputTokens: 100 } }) });
      const generate = gpu.target.generate.bind(gpu.target);
      const stream = gpu.target.stream.bind(gpu.target);
      gpu.target.generate = (call) => {
        now += 2_000;
        return generate(call);
      };
      gpu.target.stream = async function* (call) {
        for await (const part of stream(call)) {
          now += 500;
          yield part;
        }
      };
      return gpu.target;
    };
    const rated = (tokensPerSecond: number) =>
      createRouter({
        targets: { gpu: made() },
        policy: { targets: { gpu: { expectedTokensPerSecond: tokensPerSecond } } },
        clock: () => now,
      });
    // 100 tokens at a configured 50 tok/s take 2 s: the whole duration was decoding, so TTFT 0 (never negative).
    const slowRate = rated(50);
    await slowRate.generate(ask('Hi'));
    expect(slowRate.stats().gpu?.ttftMsEwma).toBe(0);
    // At 200 tok/s the same 2 s leave 1.5 s before the first token.
    const fastRate = rated(200);
    await fastRate.generate(ask('Hi'));
    expect(fastRate.stats().gpu?.ttftMsEwma).toBe(1_500);

    // A rate measured from a stream wins over the configured one.
    const measured = rated(200);
    for await (const _ of measured.stream(ask('Hi'))) {
      // Drained.
    }
    const tokensPerSecond = measured.stats().gpu?.tokensPerSecondEwma;
    const streamedTtft = measured.stats().gpu?.ttftMsEwma;
    expect(tokensPerSecond).toBeDefined();
    expect(tokensPerSecond).not.toBe(200);
    await measured.generate(ask('Hi'));
    const sample = Math.max(0, 2_000 - (100 / tokensPerSecond!) * 1_000);
    expect(measured.stats().gpu?.ttftMsEwma).toBeCloseTo(streamedTtft! + 0.2 * (sample - streamedTtft!));
  });
});
