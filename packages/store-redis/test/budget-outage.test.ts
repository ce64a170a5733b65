import { BudgetExceededError } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { describe, expect, it } from 'vitest';
import { ask, dayKey, paid, useRedisReplicas, waitFor } from './support/redis-replicas.js';

const settled = async (promises: Array<Promise<{ route: { costUsd: number } }>>) => {
  const outcomes = await Promise.allSettled(promises);
  const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  const charged = outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value.route.costUsd : 0), 0);
  return { refused, charged };
};

describe('a period budget while Redis is away (real redis-server, killed and restarted; scripted paid targets)', () => {
  // A short connect timeout: a replica started while Redis is down gives up on it quickly.
  const { server, replica } = useRedisReplicas({ connectTimeoutMs: 200 });

  it('a replica that starts during the outage has never seen the spend: it refuses paid holds until Redis is back', async () => {
    const policy = { budget: { maxCostUsd: { amount: 10, period: 'day' as const } }, execution: { retries: 0 } };
    const early = await replica('late-replica:');
    const a = createRouter({ targets: { gpu: paid() }, policy, store: early });
    await settled(Array.from({ length: 8 }, (_, index) => a.generate(ask(`before ${index}`))));
    await waitFor(async () => (await early.readBudget(dayKey())).spentUsd === 8);

    await server().kill();
    // A replica (re)started while Redis is down: it reads no spend, and must not take the whole $10 again.
    const late = await replica('late-replica:');
    expect(late.shared).toBe(false);
    const c = createRouter({ targets: { gpu: paid() }, policy, store: late });
    const during = await settled(Array.from({ length: 10 }, (_, index) => c.generate(ask(`during ${index}`))));
    expect(during.charged).toBe(0);
    expect(during.refused).toHaveLength(10);
    expect(during.refused.every((error) => BudgetExceededError.isInstance(error))).toBe(true);
    expect(String((during.refused[0] as Error).message)).toMatch(/Redis/);
    // The replica that saw $8 spent keeps serving on the $2 it knew were left.
    const known = await settled(Array.from({ length: 4 }, (_, index) => a.generate(ask(`known ${index}`))));
    expect(known.charged).toBe(2);

    await server().restart();
    await waitFor(() => early.shared && late.shared);
    await waitFor(async () => (await late.readBudget(dayKey())).spentUsd === 10);
    expect(await late.readBudget(dayKey())).toEqual({ spentUsd: 10, reservedUsd: 0 });
    // Back on Redis the late replica sees the budget spent, like every other.
    const after = await settled([c.generate(ask('after'))]);
    expect(after.refused).toHaveLength(1);
    await a.dispose();
    await c.dispose();
  });
  it('three replicas that lose Redis share the remainder they saw instead of each spending all of it', async () => {
    const policy = { budget: { maxCostUsd: { amount: 12, period: 'day' as const } }, execution: { retries: 0 } };
    const stores = [await replica('three:'), await replica('three:'), await replica('three:')];
    const routers = stores.map((store) => createRouter({ targets: { gpu: paid() }, policy, store }));
    await settled(Array.from({ length: 6 }, (_, index) => routers[index % 3]!.generate(ask(`before ${index}`))));
    // Each replica has announced itself and has heard of the other two.
    await waitFor(() => stores.every((store) => store.replicas === 3));
    await waitFor(async () => (await stores[0]!.readBudget(dayKey())).spentUsd === 6);
    for (const store of stores) await store.readBudget(dayKey());

    await server().kill();
    const during = await settled(
      Array.from({ length: 30 }, (_, index) => routers[index % 3]!.generate(ask(`during ${index}`))),
    );
    expect(stores.every((store) => !store.shared)).toBe(true);
    // $6 were left: each replica may spend $2 of them, so the three together spend at most $6.
    expect(during.charged).toBe(6);
    expect(during.refused.every((error) => BudgetExceededError.isInstance(error))).toBe(true);
    // The refusal says why in terms that add up (the router's own "$N spent or held of $12" would not).
    expect((during.refused[0] as Error).message).toContain(
      'of the period budget of $12, $6 was left when Redis went away, shared by 3 replica(s); ' +
        "this replica's $2 share has $2 spent or held, and this hold of $1 does not fit",
    );

    await server().restart();
    await waitFor(() => stores.every((store) => store.shared));
    await waitFor(async () => (await stores[0]!.readBudget(dayKey())).spentUsd === 12);
    expect(await stores[1]!.readBudget(dayKey())).toEqual({ spentUsd: 12, reservedUsd: 0 });
    for (const router of routers) await router.dispose();
  });
  it('a replica idle while the others spent falls back on the spend Redis last had, not on its own last request', async () => {
    const policy = { budget: { maxCostUsd: { amount: 10, period: 'day' as const } }, execution: { retries: 0 } };
    const idle = await replica('idle:');
    const a = createRouter({ targets: { gpu: paid() }, policy, store: idle });
    const [busy, leaving] = [await replica('idle:'), await replica('idle:')];
    const b = createRouter({ targets: { gpu: paid() }, policy, store: busy });
    await waitFor(() => idle.replicas === 3);
    await settled(Array.from({ length: 8 }, (_, index) => b.generate(ask(`busy ${index}`))));
    // A replica leaving after that spend: once the idle one counts two replicas, its next re-read came after the spend.
    await leaving.close();
    await waitFor(() => idle.replicas === 2 && busy.replicas === 2);

    await server().kill();
    const during = await settled(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).generate(ask(`during ${index}`))),
    );
    // $2 were left, $1 for each of the two replicas (the idle one had read $0 at start-up and spent nothing since).
    expect(during.charged).toBe(2);

    await server().restart();
    await waitFor(() => idle.shared && busy.shared);
    await waitFor(async () => (await busy.readBudget(dayKey())).spentUsd === 10);
    expect(await idle.readBudget(dayKey())).toEqual({ spentUsd: 10, reservedUsd: 0 });
    await a.dispose();
    await b.dispose();
  });
  it('writes a hold taken during the outage and still open to Redis when it is back, so other replicas count it', async () => {
    const policy = { budget: { maxCostUsd: { amount: 10, period: 'day' as const } }, execution: { retries: 0 } };
    const [one, two] = [await replica('open-hold:'), await replica('open-hold:')];
    const hanging = createScriptedTarget({
      locality: 'remote',
      capabilities: { price: { inputPer1M: 0, outputPer1M: 1_000_000 } },
      script: [{ hang: true }],
    });
    const a = createRouter({ targets: { gpu: hanging }, policy, store: one });
    await one.readBudget(dayKey());

    await server().kill();
    const caller = new AbortController();
    const held = a.generate({ ...ask('held across the restart'), signal: caller.signal }).catch(() => undefined);
    await waitFor(() => hanging.calls.length === 1);
    expect(one.shared).toBe(false);

    await server().restart();
    await waitFor(() => one.shared);
    // The other replica sees the $1 still held, as it would have had Redis never gone away.
    expect(await two.readBudget(dayKey())).toEqual({ spentUsd: 0, reservedUsd: 1 });
    caller.abort();
    await held;
    await waitFor(async () => (await two.readBudget(dayKey())).reservedUsd === 0);
    expect(await two.readBudget(dayKey())).toEqual({ spentUsd: 0, reservedUsd: 0 });
    await a.dispose();
  });
});
