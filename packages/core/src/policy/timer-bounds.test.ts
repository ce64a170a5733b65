import { InvalidPolicyError, InvalidRequestError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter, type PolicyInput } from '../index.js';
import { createScriptedTarget } from '../testing/index.js';

// 2^31 ms: Node and browsers run a longer timer at once, so before the bound every call "timed out after
// 2147483648 ms" on its first await (found by probing: timeoutMs, firstTokenTimeoutMs and a request's deadlineMs).
const tooLong = 2 ** 31;
const longest = 2 ** 31 - 1;
const target = () => createScriptedTarget({ locality: 'local', script: [{ text: ['a', 'b'], firstTokenDelayMs: 20 }] });

describe('timers longer than a timer can wait', () => {
  it.each([
    ['execution.timeoutMs', { execution: { timeoutMs: tooLong } }],
    ['execution.firstTokenTimeoutMs', { execution: { firstTokenTimeoutMs: tooLong } }],
    ['execution.stallTimeoutMs', { execution: { stallTimeoutMs: tooLong } }],
    ['execution.hedgeAfterMs', { execution: { hedgeAfterMs: tooLong } }],
    ['execution.backoff.initialMs', { execution: { backoff: { initialMs: tooLong } } }],
    ['execution.backoff.maxMs', { execution: { backoff: { maxMs: tooLong } } }],
    ['execution.circuit.cooldownMs', { execution: { circuit: { cooldownMs: tooLong } } }],
    ['execution.circuit.probeIntervalMs', { execution: { circuit: { probeIntervalMs: tooLong } } }],
  ])('policy.%s is refused with InvalidPolicyError naming it', (path, policy) => {
    const error = (() => {
      try {
        createRouter({ targets: { device: target() }, policy: policy as PolicyInput });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(InvalidPolicyError.isInstance(error)).toBe(true);
    expect((error as InvalidPolicyError).message).toContain(`policy.${path}: expected at most 2147483647 ms`);
  });

  it('a request deadline of 2^31 ms is an InvalidRequestError, not an immediate TimeoutError', async () => {
    const router = createRouter({ targets: { device: target() } });
    const request = { messages: [{ role: 'user' as const, content: 'Hi' }], routing: { deadlineMs: tooLong } };
    const error = await router.generate(request).catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect((error as InvalidRequestError).problems[0]?.path).toBe('routing.deadlineMs');
  });

  it('the longest timer that can wait is accepted and does not end the call', async () => {
    const router = createRouter({
      targets: { device: target() },
      policy: { execution: { timeoutMs: longest, firstTokenTimeoutMs: longest, hedgeAfterMs: longest } },
    });
    const result = await router.generate({
      messages: [{ role: 'user', content: 'Hi' }],
      routing: { deadlineMs: longest },
    });
    expect(result.text).toBe('ab');
  });
});
