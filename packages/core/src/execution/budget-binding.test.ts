import type { GenerateRequest } from '@switchyard/contract';
import { BudgetExceededError } from '@switchyard/contract';
import { describe, expect, it, vi } from 'vitest';
import { createRouter } from '../create-router.js';
import { createMemoryStateStore } from '../state/create-memory-state-store.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens: 1,
  ...extra,
});
// One output token costs $1 and input is free, so a request with maxTokens 1 has a $1 estimate.
const price = { inputPer1M: 0, outputPer1M: 1_000_000 };
const periodKey = (now: number) => `budget:day:${new Date(now).toISOString().slice(0, 10)}T00:00:00.000Z`;

describe('budgets bind (in-memory store; scripted targets stand in for paid endpoints)', () => {
  it('never lets 200 concurrent requests exceed the period budget by more than one estimate', async () => {
    const store = createMemoryStateStore();
    // Real usage varies below the estimate, as it does when answers stop before maxTokens.
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { price },
      script: (_call, index) => ({
        text: 'ok',
        chunkDelayMs: 2,
        usage: { inputTokens: 3, outputTokens: index % 3 === 0 ? 0.5 : 1 },
      }),
    });
    const router = createRouter({
      targets: { gpu },
      store,
      policy: { budget: { maxCostUsd: { amount: 50, period: 'day' } }, execution: { retries: 0 } },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, index) => router.generate(ask(`q${index}`))),
    );
    const served = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refused.every((error) => BudgetExceededError.isInstance(error) && error.scope === 'period')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10)); // settles are written after the answer
    const state = await store.readBudget(periodKey(Date.now()));
    expect(state.reservedUsd).toBe(0);
    expect(state.spentUsd).toBeLessThanOrEqual(50 + 1);
    expect(state.spentUsd).toBe(served.reduce((sum, outcome) => sum + (outcome.value.route.costUsd ?? 0), 0));
    // Only the holds decided the outcome: 50 estimates fit, and settles below the estimate freed room for a few more.
    expect(served.length).toBeGreaterThanOrEqual(50);
    expect(gpu.calls).toHaveLength(served.length);
  });

  it('sends requests to the local target once the period budget is spent, and fails none', async () => {
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { price },
      script: [{ text: 'remote', chunkDelayMs: 2, usage: { inputTokens: 1, outputTokens: 1 } }],
    });
    const device = createScriptedTarget({ script: [{ text: 'local' }] });
    const router = createRouter({
      targets: { gpu, device },
      policy: {
        mode: 'prefer-remote',
        budget: { maxCostUsd: { amount: 20, period: 'day' } },
        targets: { device: { concurrency: 8 } },
      },
    });
    const results = await Promise.all(Array.from({ length: 200 }, (_, index) => router.generate(ask(`q${index}`))));
    const remote = results.filter((result) => result.route.target === 'gpu');
    expect(remote).toHaveLength(20);
    expect(results.filter((result) => result.route.target === 'device')).toHaveLength(180);
    expect(results.reduce((sum, result) => sum + result.route.costUsd, 0)).toBe(20);
  });

  it('counts a hedge against the per-request cap: a cap of 1.5 estimates lets no second paid attempt start', async () => {
    const slow = { text: 'slow', firstTokenDelayMs: 40, usage: { inputTokens: 1, outputTokens: 1 } };
    const run = async (maxCostUsdPerRequest: number | undefined) => {
      const a = createScriptedTarget({ locality: 'remote', capabilities: { price }, script: [slow] });
      const b = createScriptedTarget({ locality: 'remote', capabilities: { price }, script: [slow] });
      const router = createRouter({
        targets: { a, b },
        policy: {
          mode: 'prefer-remote',
          execution: { hedgeAfterMs: 5 },
          budget: maxCostUsdPerRequest === undefined ? {} : { maxCostUsdPerRequest },
        },
      });
      const result = await router.generate(ask('Hi'));
      return { result, calls: a.calls.length + b.calls.length };
    };
    const uncapped = await run(undefined);
    expect(uncapped.result.route.hedged).toBe(true);
    expect(uncapped.calls).toBe(2);
    const capped = await run(1.5);
    expect(capped.calls).toBe(1);
    expect(capped.result.route.costUsd).toBeLessThanOrEqual(1.5);
  });

  it('counts what a broken attempt was billed against the cap, so the fallback that would exceed it is refused', async () => {
    // The first target is billed 1 token ($1) before breaking; a second paid attempt ($2 estimate) would pass the cap.
    const a = createScriptedTarget({
      locality: 'remote',
      capabilities: { price },
      script: [{ text: ['x', 'y'], breakAfterChunks: 1, usage: false }],
    });
    const b = createScriptedTarget({ locality: 'remote', capabilities: { price }, script: [{ text: 'b' }] });
    const router = createRouter({
      targets: { a, b },
      policy: {
        mode: 'prefer-remote',
        execution: { retries: 0, midStream: 'restart' },
        budget: { maxCostUsdPerRequest: 2.5 },
      },
    });
    const error = await router.generate(ask('Hi', { maxTokens: 2 })).catch((caught: unknown) => caught);
    expect(b.calls).toHaveLength(0);
    expect(error).toMatchObject({
      code: 'all-targets-failed',
      attempts: [
        { target: 'a', error: { code: 'connection' } },
        { target: 'b', error: { code: 'budget-exceeded', scope: 'request', limitUsd: 2.5, spentUsd: 1 } },
      ],
    });
  });

  it('releases the hold of an aborted request and settles only what was billed', async () => {
    const store = createMemoryStateStore();
    const gpu = createScriptedTarget({ locality: 'remote', capabilities: { price }, script: [{ hang: true }] });
    const router = createRouter({
      targets: { gpu },
      store,
      policy: { budget: { maxCostUsd: { amount: 3, period: 'day' } } },
    });
    const controller = new AbortController();
    const pending = router.generate(ask('Hi', { signal: controller.signal }));
    while (gpu.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(await store.readBudget(periodKey(Date.now()))).toEqual({ spentUsd: 0, reservedUsd: 1 });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'abort' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.readBudget(periodKey(Date.now()))).toEqual({ spentUsd: 0, reservedUsd: 0 });
  });

  it('shares the period budget between two routers on one store', async () => {
    const store = createMemoryStateStore();
    const make = () =>
      createRouter({
        targets: {
          gpu: createScriptedTarget({
            locality: 'remote',
            capabilities: { price },
            script: [{ text: 'ok', usage: { inputTokens: 1, outputTokens: 1 } }],
          }),
        },
        store,
        policy: { budget: { maxCostUsd: { amount: 3, period: 'day' } } },
      });
    const [one, two] = [make(), make()];
    await one.generate(ask('a'));
    await one.generate(ask('b'));
    await two.generate(ask('c'));
    await expect(two.generate(ask('d'))).rejects.toSatisfy(BudgetExceededError.isInstance);
    await expect(one.generate(ask('e'))).rejects.toMatchObject({ code: 'budget-exceeded', limitUsd: 3 });
  });
  it('spends a hold open across midnight in the day it was taken; the new day starts at $0 and binds again', async () => {
    let now = Date.UTC(2026, 11, 8, 23, 59, 59, 900);
    const clock = () => now;
    const store = createMemoryStateStore({ clock });
    const gpu = createScriptedTarget({
      locality: 'remote',
      capabilities: { price },
      script: [{ text: 'ok', firstTokenDelayMs: 20, usage: { inputTokens: 0, outputTokens: 1 } }],
    });
    const policy = { budget: { maxCostUsd: { amount: 2, period: 'day' as const } }, execution: { retries: 0 } };
    const router = createRouter({ targets: { gpu }, store, clock, policy });
    const open = [router.generate(ask('a')), router.generate(ask('b'))];
    await vi.waitFor(() => expect(gpu.calls).toHaveLength(2));
    now += 200; // midnight passes while both holds are open
    await Promise.all(open);
    const today = periodKey(now - 200);
    const tomorrow = periodKey(now);
    await vi.waitFor(async () => expect(await store.readBudget(today)).toEqual({ spentUsd: 2, reservedUsd: 0 }));
    const next = await Promise.allSettled([1, 2, 3].map((index) => router.generate(ask(`next ${index}`))));
    expect(next.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    await vi.waitFor(async () => expect(await store.readBudget(tomorrow)).toEqual({ spentUsd: 2, reservedUsd: 0 }));
    expect(await store.readBudget(today)).toEqual({ spentUsd: 2, reservedUsd: 0 });
  });
  it("names the attempt's estimate when a cap or a budget is below it, with nothing spent yet", async () => {
    const gpu = () => createScriptedTarget({ locality: 'remote', capabilities: { price } });
    // Each request holds prompt (free) + maxTokens 8 x $1: $8, above both the $0.5 cap and the whole $5 budget.
    const capped = createRouter({ targets: { gpu: gpu() }, policy: { budget: { maxCostUsdPerRequest: 0.5 } } });
    const small = createRouter({
      targets: { gpu: gpu() },
      policy: { budget: { maxCostUsd: { amount: 5, period: 'day' } } },
    });
    for (const [router, which, left] of [
      [capped, 'the per-request cost cap of $0.5', '0.50'],
      [small, 'the period budget of $5', '5.00'],
    ] as const) {
      const error = await router.generate(ask('Hi', { maxTokens: 8 })).catch((caught: unknown) => caught);
      expect(BudgetExceededError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(
        `${which} would be passed ($0 already spent or held; estimated $8.00 exceeds the $${left} left)`,
      );
    }
  });
});
