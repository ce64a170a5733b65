import type { ExclusionReason, GenerateRequest } from '@switchyard/contract';
import { exclusionReasons } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import type { Router, RouterOptions } from '../create-router.js';
import { createRouter as createRouterUnderTest } from '../create-router.js';
import type { PolicyInput } from '../policy/policy.js';
import { createManualSignals } from '../signals/create-manual-signals.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';
import { estimateCostUsd } from './plan-route.js';

/** Every exclusion reason the tests in this file actually produced, read off the plans and errors they got. */
const produced = new Set<ExclusionReason>();

function record(excluded: readonly { reason: ExclusionReason }[] | undefined): void {
  for (const entry of excluded ?? []) produced.add(entry.reason);
}

/** The real router, with every plan and `NoEligibleTargetError` it hands out recorded in {@link produced}. */
function createRouter(options: RouterOptions): Router {
  const router = createRouterUnderTest(options);
  const plan = router.plan.bind(router);
  const generate = router.generate.bind(router);
  router.plan = (...args) => {
    const result = plan(...args);
    record(result.excluded);
    return result;
  };
  router.generate = (async (...args: Parameters<Router['generate']>) => {
    try {
      return await generate(...args);
    } catch (error) {
      record((error as { excluded?: { reason: ExclusionReason }[] }).excluded);
      throw error;
    }
  }) as Router['generate'];
  return router;
}

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens: 32,
  ...extra,
});

function makeRouter(policy: PolicyInput = {}, extra: Partial<RouterOptions> = {}) {
  const device = createScriptedTarget({ id: 'device', locality: 'local' });
  const gpu = createScriptedTarget({
    id: 'gpu',
    locality: 'remote',
    capabilities: { price: { inputPer1M: 1, outputPer1M: 2 }, images: true },
  });
  return { device, gpu, router: createRouter({ targets: { device, gpu }, policy, ...extra }) };
}

const order = (plan: { plan: { target: string }[] }) => plan.plan.map((entry) => entry.target);
const reasonOf = (plan: { excluded: { target: string; reason: ExclusionReason }[] }, target: string) =>
  plan.excluded.find((entry) => entry.target === target)?.reason;

describe('router.plan: modes', () => {
  it.each([
    ['prefer-local', ['device', 'gpu'], undefined],
    ['prefer-remote', ['gpu', 'device'], undefined],
    ['local-only', ['device'], 'gpu'],
    ['remote-only', ['gpu'], 'device'],
  ] as const)('orders targets for mode %s', (mode, expected, excludedByMode) => {
    const { router } = makeRouter({ mode });
    const plan = router.plan(ask('Hi'));
    expect(order(plan)).toEqual(expected);
    if (excludedByMode) expect(reasonOf(plan, excludedByMode)).toBe('mode');
    expect(plan.explanation.at(-1)).toContain(`plan (${mode})`);
  });

  it('scores every candidate in auto mode and prefers the cheaper local target when latency is equal', () => {
    const { router } = makeRouter({
      mode: 'auto',
      weights: { latency: 1, cost: 1 },
      targets: {
        device: { expectedTtftMs: 100, expectedTokensPerSecond: 50 },
        gpu: { expectedTtftMs: 100, expectedTokensPerSecond: 50 },
      },
    });
    const plan = router.plan(ask('Hi'));
    expect(order(plan)).toEqual(['device', 'gpu']);
    expect(plan.plan.every((entry) => typeof entry.score === 'number')).toBe(true);
    expect(plan.explanation.some((line) => line.startsWith('score gpu'))).toBe(true);
  });

  it('puts targets that would miss the deadline last in auto mode', () => {
    const { router } = makeRouter({
      mode: 'auto',
      weights: { latency: 0, cost: 1 },
      targets: { device: { expectedTtftMs: 5_000, expectedTokensPerSecond: 5 } },
    });
    expect(order(router.plan(ask('Hi')))).toEqual(['device', 'gpu']);
    const plan = router.plan(ask('Hi', { routing: { deadlineMs: 2_000 } }));
    expect(order(plan)).toEqual(['gpu', 'device']);
    expect(plan.explanation.join('\n')).toContain('> deadline 2000 ms');
  });

  it('demotes local targets below remote ones when difficulty exceeds the quality threshold, and reports it', () => {
    const { router } = makeRouter(
      { mode: 'auto', quality: { threshold: 0.5 } },
      { difficulty: (prompt) => (prompt.includes('proof') ? 0.9 : 0.1) },
    );
    const easy = router.plan(ask('Say hi'));
    expect(order(easy)).toEqual(['device', 'gpu']);
    expect(easy.difficulty).toBe(0.1);
    const hard = router.plan(ask('Write a proof of the four colour theorem'));
    expect(order(hard)).toEqual(['gpu', 'device']);
    expect(hard.difficulty).toBe(0.9);
    expect(hard.explanation.join('\n')).toContain('difficulty 0.90 (threshold 0.5): local targets demoted');
  });

  it("ranks by each target's quality tier in auto mode: 'small' | 'large' or a number, the policy over the adapter", () => {
    const first = createScriptedTarget({ locality: 'remote', capabilities: { quality: 0.9 } });
    const second = createScriptedTarget({ locality: 'remote', capabilities: { quality: 0.2 } });
    const plan = (targets: PolicyInput['targets'], difficulty: number) =>
      order(
        createRouter({
          targets: { first, second },
          policy: { mode: 'auto', targets },
          difficulty: () => difficulty,
        }).plan(ask('Prove it')),
      );
    // Same latency and cost: the tier decides once the prompt is hard.
    expect(plan({}, 0.9)).toEqual(['first', 'second']);
    expect(plan({ first: { quality: 'small' }, second: { quality: 'large' } }, 0.9)).toEqual(['second', 'first']);
    expect(plan({ first: { quality: 0.5 }, second: { quality: 0.6 } }, 0.9)).toEqual(['second', 'first']);
    // An easy prompt loses nothing on a small model, so the tie stays in the given order.
    expect(plan({ first: { quality: 'small' }, second: { quality: 'large' } }, 0)).toEqual(['first', 'second']);
    expect(() => plan({ first: { quality: 'huge' as 'large' } }, 0.9)).toThrow(/policy\.targets\.first\.quality/);
  });

  it('breaks ties deterministically by the order targets were given', () => {
    const a = createScriptedTarget({ locality: 'local' });
    const b = createScriptedTarget({ locality: 'local' });
    const router = createRouter({ targets: { b, a }, policy: { mode: 'auto' } });
    expect(order(router.plan(ask('Hi')))).toEqual(['b', 'a']);
  });
});

describe('router.plan: every exclusion reason', () => {
  it('privacy: a private request excludes remote targets', () => {
    const plan = makeRouter().router.plan(ask('Hi', { routing: { privacy: 'private' } }));
    expect(reasonOf(plan, 'gpu')).toBe('privacy');
    expect(plan.privacy).toEqual({ private: true, detected: [] });
  });

  it('privacy: detected personal data keeps the request local, and says what was found', () => {
    const plan = makeRouter({ mode: 'prefer-remote' }).router.plan(ask('My card is 4111 1111 1111 1111'));
    expect(order(plan)).toEqual(['device']);
    expect(reasonOf(plan, 'gpu')).toBe('privacy');
    expect(plan.privacy.detected).toEqual(['card-number']);
    expect(plan.explanation.join('\n')).toContain('detected card-number');
  });

  it('privacy: detection can be switched off by policy', () => {
    const plan = makeRouter({ privacy: { detectPii: false } }).router.plan(ask('mail ada@example.org'));
    expect(order(plan)).toEqual(['device', 'gpu']);
  });

  it('offline: remote targets are excluded when the device is offline', () => {
    const signals = createManualSignals({ network: { online: false } });
    const plan = makeRouter({}, { signals }).router.plan(ask('Hi'));
    expect(reasonOf(plan, 'gpu')).toBe('offline');
  });

  it('battery: local targets are excluded below minBatteryLevel unless charging', () => {
    const signals = createManualSignals({ battery: { level: 0.1, charging: false } });
    const { router } = makeRouter({}, { signals });
    expect(reasonOf(router.plan(ask('Hi')), 'device')).toBe('battery');
    signals.set({ battery: { charging: true } });
    expect(order(router.plan(ask('Hi')))).toEqual(['device', 'gpu']);
  });

  it('thermal: local targets are excluded above maxThermalState', () => {
    const { router } = makeRouter({ device: { maxThermalState: 'fair' } });
    expect(reasonOf(router.plan(ask('Hi'), { signals: { device: { thermal: 'serious' } } }), 'device')).toBe('thermal');
    expect(reasonOf(router.plan(ask('Hi'), { signals: { device: { thermal: 'fair' } } }), 'device')).toBeUndefined();
  });

  it('memory: local targets are excluded below minFreeMemoryBytes', () => {
    const { router } = makeRouter({ device: { minFreeMemoryBytes: 2_000_000_000 } });
    const plan = router.plan(ask('Hi'), { signals: { device: { memory: { freeBytes: 1_000_000_000 } } } });
    expect(reasonOf(plan, 'device')).toBe('memory');
  });

  it('context-window: prompt plus maxTokens must fit, counted with the target tokenizer when it has one', () => {
    const small = createScriptedTarget({
      locality: 'local',
      capabilities: { contextWindow: 100, countTokens: (text) => text.split(' ').length },
    });
    const router = createRouter({ targets: { small } });
    const words = Array.from({ length: 60 }, () => 'word').join(' ');
    const fits = router.plan(ask(words, { maxTokens: 30 }));
    expect(fits.promptTokens.small).toBe(64);
    expect(order(fits)).toEqual(['small']);
    const plan = router.plan(ask(words, { maxTokens: 40 }));
    expect(reasonOf(plan, 'small')).toBe('context-window');
  });

  it('capability: tools, JSON schema and images need support', () => {
    const plain = createScriptedTarget({ capabilities: { tools: false, jsonSchema: false, images: false } });
    const router = createRouter({ targets: { plain } });
    const tool = { name: 'lookup', parameters: { type: 'object' } };
    expect(reasonOf(router.plan(ask('Hi', { tools: [tool] })), 'plain')).toBe('capability');
    expect(reasonOf(router.plan(ask('Hi', { responseFormat: { type: 'json_schema', schema: {} } })), 'plain')).toBe(
      'capability',
    );
    const image: GenerateRequest = {
      messages: [{ role: 'user', content: [{ type: 'image', url: 'data:image/png;base64,AAAA' }] }],
    };
    expect(reasonOf(router.plan(image), 'plain')).toBe('capability');
  });

  it('budget: a remote target whose estimate exceeds the per-request cap is excluded', () => {
    const { router } = makeRouter({ budget: { maxCostUsdPerRequest: 0.00001 } });
    const plan = router.plan(ask('Hi', { maxTokens: 1000 }));
    expect(reasonOf(plan, 'gpu')).toBe('budget');
    expect(reasonOf(router.plan(ask('Hi', { maxTokens: 1 })), 'gpu')).toBeUndefined();
    expect(reasonOf(router.plan(ask('Hi', { maxTokens: 1, routing: { maxCostUsd: 0 } })), 'gpu')).toBe('budget');
  });

  it('unavailable: a model still downloading is excluded and the remote target serves meanwhile', () => {
    const { router, device } = makeRouter();
    device.setStatus({ state: 'downloading', progress: 0.42 });
    const plan = router.plan(ask('Hi'));
    expect(order(plan)).toEqual(['gpu']);
    expect(plan.excluded).toContainEqual({
      target: 'device',
      reason: 'unavailable',
      detail: 'model downloading (42%)',
    });
    device.setStatus({ state: 'ready' });
    expect(
      reasonOf(router.plan(ask('Hi'), { signals: { targets: { device: { status: 'loading' } } } }), 'device'),
    ).toBe('unavailable');
  });

  it('circuit-open: a target whose circuit is open is excluded', async () => {
    const { router, gpu } = makeRouter({
      mode: 'remote-only',
      execution: { retries: 0, circuit: { failureThreshold: 1 } },
    });
    gpu.setScript([{ failWith: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }]);
    await expect(router.generate(ask('Hi'))).rejects.toThrow(/All targets failed/);
    expect(reasonOf(router.plan(ask('Hi')), 'gpu')).toBe('circuit-open');
  });

  it('rule: `use` keeps only the listed targets and `avoid` removes targets; the first matching rule applies', () => {
    const { router } = makeRouter({
      rules: [
        { name: 'code to gpu', when: { tags: ['code'] }, use: ['gpu'] },
        { when: { tags: ['code', 'quick'] }, avoid: ['gpu'] },
        { name: 'chit-chat', when: { tags: ['chat'] }, avoid: ['gpu'] },
      ],
    });
    const code = router.plan(ask('Hi', { routing: { tags: ['code', 'quick'] } }));
    expect(order(code)).toEqual(['gpu']);
    expect(code.excluded).toContainEqual({
      target: 'device',
      reason: 'rule',
      detail: 'rule "code to gpu" (policy.rules[0]) uses only gpu',
    });
    expect(code.explanation).toContain('rule "code to gpu" (policy.rules[0]) matched: use gpu');
    expect(reasonOf(router.plan(ask('Hi', { routing: { tags: ['chat'] } })), 'gpu')).toBe('rule');
    expect(router.plan(ask('Hi')).explanation).toContain('no policy rule matched');
  });

  it('rule: `prefer` moves targets first, and conditions read device signals, size and time', () => {
    const { router } = makeRouter({
      rules: [
        { when: { battery: { below: 0.5 }, online: true }, prefer: ['gpu'] },
        { when: { promptTokens: { gt: 100 } }, prefer: ['gpu'] },
        { when: { hour: { from: 22, to: 6 } }, prefer: ['gpu'] },
      ],
    });
    expect(order(router.plan(ask('Hi'), { signals: { device: { battery: { level: 0.4 } } } }))).toEqual([
      'gpu',
      'device',
    ]);
    expect(order(router.plan(ask('x'.repeat(800))))).toEqual(['gpu', 'device']);
    const night = new Date(2026, 0, 1, 23, 0);
    expect(order(router.plan(ask('Hi'), { signals: { now: night } }))).toEqual(['gpu', 'device']);
    const noon = new Date(2026, 0, 1, 12, 0);
    expect(order(router.plan(ask('Hi'), { signals: { now: noon } }))).toEqual(['device', 'gpu']);
  });

  it('queue: auto mode spills to remote when the local queue is saturated', async () => {
    const device = createScriptedTarget({ locality: 'local', script: [{ hang: true }] });
    const gpu = createScriptedTarget({ locality: 'remote' });
    const router = createRouter({
      targets: { device, gpu },
      policy: { mode: 'auto', targets: { device: { maxQueue: 1 } } },
    });
    const controller = new AbortController();
    const running = [1, 2].map(() =>
      router.generate(ask('Hi', { signal: controller.signal, routing: { tags: [] } }), {
        signals: { targets: { gpu: { status: 'unavailable' } } },
      }),
    );
    for (const promise of running) promise.catch(() => undefined);
    await waitFor(() => router.stats().device?.queueDepth === 1);
    const plan = router.plan(ask('Hi'));
    expect(order(plan)).toEqual(['gpu']);
    expect(reasonOf(plan, 'device')).toBe('queue');
    controller.abort();
    await Promise.allSettled(running);
    expect(router.stats().device).toMatchObject({ queueDepth: 0, inFlight: 0 });
  });

  it('previews circuit-open and queue from signal overrides, without live traffic', () => {
    const device = createScriptedTarget({ locality: 'local' });
    const gpu = createScriptedTarget({ locality: 'remote' });
    const cloud = createScriptedTarget({ locality: 'remote' });
    const router = createRouter({
      targets: { device, gpu, cloud },
      policy: { mode: 'auto', targets: { device: { maxQueue: 2 } } },
    });
    const plan = router.plan(ask('Hi'), {
      signals: { targets: { gpu: { circuit: 'open' }, device: { queueDepth: 2 } } },
    });
    expect(order(plan)).toEqual(['cloud']);
    expect(reasonOf(plan, 'gpu')).toBe('circuit-open');
    expect(reasonOf(plan, 'device')).toBe('queue');
    // Below maxQueue the device stays, and a forced closed circuit admits the GPU; the live state is untouched.
    const calmer = router.plan(ask('Hi'), {
      signals: { targets: { gpu: { circuit: 'closed' }, device: { queueDepth: 1 } } },
    });
    expect(calmer.excluded).toEqual([]);
    expect(router.plan(ask('Hi')).excluded).toEqual([]);
  });

  it('throws NoEligibleTargetError listing every exclusion when nothing is eligible', async () => {
    const { router } = makeRouter({ mode: 'local-only' });
    const error = await router
      .generate(ask('Hi'), { signals: { device: { battery: { level: 0.05 } } } })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'no-eligible-target' });
    expect((error as { excluded: unknown[] }).excluded).toEqual([
      { target: 'device', reason: 'battery', detail: 'battery 5% is below 20% and not charging' },
      { target: 'gpu', reason: 'mode', detail: 'policy mode is local-only' },
    ]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 1000 && !condition(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!condition()) throw new Error('condition not met');
}

// Last in the file: tests run in order, so by now every test above has recorded what it produced.
describe('exclusion reasons', () => {
  it('are each produced by some test above, and the tests produce no reason the contract does not list', () => {
    expect([...produced].sort()).toEqual([...exclusionReasons].sort());
  });
});

describe('estimateCostUsd', () => {
  it('gives the decimal a user would write, to the picodollar', () => {
    // 12 in at 0.6 and 10 out at 0.8 per million: dividing by a million gives 0.000015199999999999998.
    expect(estimateCostUsd({ inputPer1M: 0.6, outputPer1M: 0.8 }, 12, 10)).toBe(0.0000152);
    expect(String(estimateCostUsd({ inputPer1M: 0.1, outputPer1M: 0.2 }, 3, 3))).toBe('9e-7');
    expect(estimateCostUsd({ inputPer1M: 3, outputPer1M: 15 }, 1_000_000, 1_000_000)).toBe(18);
    expect(estimateCostUsd({ inputPer1M: 0, outputPer1M: 0 }, 100, 100)).toBe(0);
  });
});
