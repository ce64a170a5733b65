import type { GenerateRequest } from '@switchyard/contract';
import { ApiCallError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createMemoryStateStore } from '../state/create-memory-state-store.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

const ask = (content: string): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 4 });
const unavailable503 = () => new ApiCallError({ url: 'http://127.0.0.1:9/v1/chat/completions', status: 503 });
const circuit = { failureThreshold: 2, windowMs: 10_000, cooldownMs: 5_000 };

describe('circuits shared through the state store (scripted targets stand in for one failing endpoint)', () => {
  it('lets a router see a circuit another router opened, and close it when that router’s probe succeeds', async () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const clock = () => now;
    const store = createMemoryStateStore({ clock });
    const failing = () => createScriptedTarget({ locality: 'remote', script: [{ failWith: unavailable503 }] });
    const policy = { execution: { retries: 0, circuit } };
    const gpuA = failing();
    const gpuB = failing();
    const a = createRouter({ targets: { gpu: gpuA }, policy, store, clock });
    const b = createRouter({ targets: { gpu: gpuB }, policy, store, clock });
    const transitions: string[] = [];
    b.on('circuit', (event) => transitions.push(`${event.from}->${event.to}`));

    await expect(a.generate(ask('1'))).rejects.toThrow();
    await expect(a.generate(ask('2'))).rejects.toThrow();
    expect(a.stats().gpu?.circuit).toBe('open');
    // b never called its endpoint, yet plans without it.
    expect(b.stats().gpu?.circuit).toBe('open');
    expect(b.plan(ask('3')).excluded).toContainEqual(
      expect.objectContaining({ target: 'gpu', reason: 'circuit-open' }),
    );
    expect(gpuB.calls).toHaveLength(0);
    expect(transitions).toEqual(['closed->open']);
    expect(await store.readCircuit('circuit:gpu')).toBe(now + 5_000);

    // After the cooldown a's probe succeeds: b closes too.
    now += 5_000;
    gpuA.setScript([{ text: 'back' }]);
    await a.generate(ask('4'));
    expect(a.stats().gpu?.circuit).toBe('closed');
    expect(b.stats().gpu?.circuit).toBe('closed');
    await a.dispose();
    await b.dispose();
  });

  it('leaves a router whose breaker is switched off (enabled: false) closed when a peer opens the shared circuit', async () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const clock = () => now;
    const store = createMemoryStateStore({ clock });
    await store.openCircuit({ key: 'circuit:gpu', untilMs: now + 10_000 });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'ok' }] });
    const router = createRouter({
      targets: { gpu },
      policy: { execution: { circuit: { ...circuit, enabled: false } } },
      store,
      clock,
    });
    await store.openCircuit({ key: 'circuit:gpu', untilMs: now + 20_000 });
    now += 1_000;
    expect(router.stats().gpu?.circuit).toBe('closed');
    expect((await router.generate(ask('1'))).text).toBe('ok');
    expect(gpu.calls).toHaveLength(1);
    await router.dispose();
  });

  it('extends a cooldown when a peer re-opens later, and never shortens it for an earlier end', async () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const clock = () => now;
    const store = createMemoryStateStore({ clock });
    const gpu = createScriptedTarget({ locality: 'remote', script: [{ text: 'ok' }] });
    const router = createRouter({ targets: { gpu }, policy: { execution: { circuit } }, store, clock });
    await store.openCircuit({ key: 'circuit:gpu', untilMs: now + 10_000 });
    expect(router.stats().gpu?.circuit).toBe('open');
    await store.openCircuit({ key: 'circuit:gpu', untilMs: now + 2_000 }); // earlier end: ignored
    now += 6_000;
    expect(router.stats().gpu?.circuit).toBe('open');
    await store.openCircuit({ key: 'circuit:gpu', untilMs: now + 20_000 });
    now += 10_000;
    expect(router.stats().gpu?.circuit).toBe('open');
    now += 10_000;
    expect(router.stats().gpu?.circuit).toBe('half-open');
    await router.dispose();
  });

  it('starts with a circuit open when a peer opened it before this router was created', async () => {
    const store = createMemoryStateStore();
    await store.openCircuit({ key: 'circuit:gpu', untilMs: Date.now() + 60_000 });
    const gpu = createScriptedTarget({ locality: 'remote' });
    const router = createRouter({ targets: { gpu }, store });
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(router.stats().gpu?.circuit).toBe('open');
    await router.dispose();
  });
});
