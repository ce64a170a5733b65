import type { StateStoreEvent } from '@switchyard/contract';
import { ApiCallError, BudgetExceededError } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { describe, expect, it } from 'vitest';
import { ask, dayKey, paid, useRedisReplicas, waitFor } from './support/redis-replicas.js';

describe('replicas sharing a real redis-server (scripted targets stand in for paid endpoints)', () => {
  const { server, replica } = useRedisReplicas();

  it('keeps 200 concurrent requests over two replicas within the day budget plus one estimate', async () => {
    const [one, two] = [await replica('budget200:'), await replica('budget200:')];
    const policy = { budget: { maxCostUsd: { amount: 40, period: 'day' as const } }, execution: { retries: 0 } };
    // Real usage is at or below the estimate ($1), as when answers stop before maxTokens.
    const a = createRouter({ targets: { gpu: paid((index) => (index % 4 === 0 ? 0.5 : 1)) }, policy, store: one });
    const b = createRouter({ targets: { gpu: paid() }, policy, store: two });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? a : b).generate(ask(`q${index}`))),
    );
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refused.every((error) => BudgetExceededError.isInstance(error))).toBe(true);
    const charged = outcomes.reduce(
      (sum, outcome) => sum + (outcome.status === 'fulfilled' ? outcome.value.route.costUsd : 0),
      0,
    );
    await waitFor(async () => (await one.readBudget(dayKey())).reservedUsd === 0);
    const state = await two.readBudget(dayKey());
    expect(state.spentUsd).toBe(charged);
    expect(state.spentUsd).toBeLessThanOrEqual(40 + 1);
    expect(outcomes.length - refused.length).toBeGreaterThanOrEqual(40);
  });

  it('opens a circuit on the other replica through pub/sub, and measures how long that takes', async () => {
    const [one, two] = [await replica('circuits:'), await replica('circuits:')];
    const policy = {
      execution: { retries: 0, circuit: { failureThreshold: 1, windowMs: 10_000, cooldownMs: 30_000 } },
    };
    const failing = createScriptedTarget({
      locality: 'remote',
      script: [{ failWith: () => new ApiCallError({ url: 'http://127.0.0.1:9/v1/chat/completions', status: 503 }) }],
    });
    const healthy = createScriptedTarget({ locality: 'remote' });
    const a = createRouter({ targets: { gpu: failing }, policy, store: one });
    const b = createRouter({ targets: { gpu: healthy }, policy, store: two });
    let openedAt = 0;
    let seenAt = 0;
    a.on('circuit', (event) => {
      if (event.to === 'open') openedAt = performance.now();
    });
    b.on('circuit', (event) => {
      if (event.to === 'open') seenAt = performance.now();
    });
    await expect(a.generate(ask('x'))).rejects.toThrow();
    await waitFor(() => seenAt > 0, 1000);
    console.info(
      `[store-redis] circuit opened on one replica was open on the other after ${(seenAt - openedAt).toFixed(2)} ms`,
    );
    expect(b.stats().gpu?.circuit).toBe('open');
    expect(b.plan(ask('y')).excluded).toContainEqual(
      expect.objectContaining({ target: 'gpu', reason: 'circuit-open' }),
    );
    expect(healthy.calls).toHaveLength(0);
    await a.dispose();
    await b.dispose();
  });

  it('keeps serving on local state while Redis is down, loses no spend, and shares again once it is back', async () => {
    const [one, two] = [await replica('outage:'), await replica('outage:')];
    const events: StateStoreEvent['type'][] = [];
    const routerEvents: string[] = [];
    one.subscribe((event) => events.push(event.type));
    const policy = { budget: { maxCostUsd: { amount: 1000, period: 'day' as const } }, execution: { retries: 0 } };
    const a = createRouter({ targets: { gpu: paid() }, policy, store: one });
    const b = createRouter({ targets: { gpu: paid() }, policy, store: two });
    a.on('store', (event) => routerEvents.push(event.type));

    const batch = (count: number) =>
      Promise.all(Array.from({ length: count }, (_, index) => (index % 2 === 0 ? a : b).generate(ask(`q${index}`))));
    await batch(20);
    await waitFor(async () => (await one.readBudget(dayKey())).spentUsd === 20);

    // Redis dies while requests are in flight: none fails.
    const inFlight = batch(20);
    await server().kill();
    const during = await Promise.all([inFlight, batch(20)]);
    expect(during.flat()).toHaveLength(40);
    expect(one.shared).toBe(false);
    expect(events).toContain('degraded');
    expect(routerEvents).toContain('degraded');

    await server().restart();
    await waitFor(() => one.shared && two.shared);
    expect(events.at(-1)).toBe('restored');
    // Every dollar settled while Redis was away was written to it once it came back.
    await waitFor(async () => (await one.readBudget(dayKey())).spentUsd === 60);
    expect(await two.readBudget(dayKey())).toEqual({ spentUsd: 60, reservedUsd: 0 });

    // Shared again: a circuit opened through one replica's store reaches the other.
    const heard: StateStoreEvent[] = [];
    two.subscribe((event) => heard.push(event));
    await one.openCircuit({ key: 'circuit:after-outage', untilMs: Date.now() + 60_000 });
    await waitFor(() => heard.some((event) => event.type === 'circuit' && event.key === 'circuit:after-outage'), 1000);
    await a.dispose();
    await b.dispose();
  });
});
