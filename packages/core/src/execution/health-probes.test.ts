import type { GenerateRequest, TargetStatus } from '@switchyard/contract';
import { ApiCallError } from '@switchyard/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { Router } from '../create-router.js';
import { createRouter } from '../create-router.js';
import type { RouterEvents } from '../events.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

const ask = (): GenerateRequest => ({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 });
const unavailable: TargetStatus = { state: 'unavailable', code: 'unreachable', reason: 'connection refused' };
const serverError = () => new ApiCallError({ url: 'http://127.0.0.1/v1', status: 500 });
// A cooldown far longer than any test: whatever half-opens a circuit here is a probe.
const circuit = { failureThreshold: 1, cooldownMs: 600_000, probeIntervalMs: 5 };

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 2000 && !condition(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition not met');
}

const routers: Router[] = [];
afterEach(async () => {
  for (const router of routers.splice(0)) await router.dispose();
});

function track(router: Router) {
  routers.push(router);
  const seen = { circuit: [] as RouterEvents['circuit'][], probe: [] as RouterEvents['probe'][] };
  router.on('circuit', (event) => seen.circuit.push(event));
  router.on('probe', (event) => seen.probe.push(event));
  return seen;
}

describe('health probes', () => {
  it('probes a remote target whose circuit is open and half-opens it early when the probe says ready', async () => {
    const gpu = createScriptedTarget({
      id: 'gpu',
      locality: 'remote',
      script: [{ failWith: serverError }, { text: 'back again' }],
      checkStatus: (index) => (index < 2 ? unavailable : { state: 'ready' }),
    });
    const router = createRouter({ targets: { gpu }, policy: { execution: { retries: 0, circuit } } });
    const seen = track(router);

    await expect(router.generate(ask())).rejects.toMatchObject({ code: 'all-targets-failed' });
    expect(router.stats().gpu?.circuit).toBe('open');
    expect(router.plan(ask()).excluded).toEqual([expect.objectContaining({ target: 'gpu', reason: 'circuit-open' })]);

    await waitFor(() => router.stats().gpu?.circuit === 'half-open');
    expect(seen.probe.map((probe) => probe.state)).toEqual(['unavailable', 'unavailable', 'ready']);
    expect(seen.circuit.map((event) => `${event.from}→${event.to}`)).toEqual(['closed→open', 'open→half-open']);

    // The next request is the trial; its success closes the circuit, and probing has stopped.
    expect((await router.generate(ask())).text).toBe('back again');
    expect(router.stats().gpu?.circuit).toBe('closed');
    expect(gpu.statusChecks).toBe(3);
  });

  it('keeps probing through errors, and probes again after a failed trial re-opens the circuit', async () => {
    const gpu = createScriptedTarget({
      id: 'gpu',
      locality: 'remote',
      script: [{ failWith: serverError }],
      checkStatus: (index) => {
        if (index === 0) throw new Error('probe failed');
        return { state: 'ready' };
      },
    });
    const router = createRouter({ targets: { gpu }, policy: { execution: { retries: 0, circuit } } });
    const seen = track(router);
    await expect(router.generate(ask())).rejects.toThrow();
    await waitFor(() => router.stats().gpu?.circuit === 'half-open');
    expect(seen.probe.map((probe) => probe.state)).toEqual(['error', 'ready']);

    await expect(router.generate(ask())).rejects.toThrow();
    expect(router.stats().gpu?.circuit).toBe('open');
    await waitFor(() => router.stats().gpu?.circuit === 'half-open');
    expect(seen.probe.map((probe) => probe.state)).toEqual(['error', 'ready', 'ready']);
  });

  it('probes a remote target that reported itself unavailable, so plans include it again once it is back', async () => {
    const device = createScriptedTarget({ id: 'device', locality: 'local', script: [{ text: 'from the device' }] });
    const gpu = createScriptedTarget({
      id: 'gpu',
      locality: 'remote',
      status: unavailable,
      script: [{ text: 'from the gpu' }],
      checkStatus: (index) => (index < 1 ? unavailable : { state: 'ready' }),
    });
    const router = createRouter({
      targets: { device, gpu },
      policy: { mode: 'prefer-remote', execution: { retries: 0, circuit } },
    });
    const seen = track(router);
    // plan() alone stays free of side effects: no probe starts.
    expect(router.plan(ask()).excluded).toEqual([expect.objectContaining({ target: 'gpu', reason: 'unavailable' })]);
    expect(gpu.statusChecks).toBe(0);

    expect((await router.generate(ask())).route.target).toBe('device');
    await waitFor(() => gpu.status().state === 'ready');
    expect(seen.probe.map((probe) => probe.state)).toEqual(['unavailable', 'ready']);
    expect(seen.circuit).toEqual([]);
    expect((await router.generate(ask())).route.target).toBe('gpu');
    expect(gpu.statusChecks).toBe(2);
  });

  it('does not probe local targets or targets without checkStatus', async () => {
    const probed = createScriptedTarget({
      locality: 'remote',
      script: [{ failWith: serverError }],
      checkStatus: () => unavailable,
    });
    const device = createScriptedTarget({ locality: 'local', script: [{ failWith: serverError }], checkStatus: true });
    const plain = createScriptedTarget({ locality: 'remote', script: [{ failWith: serverError }] });
    const router = createRouter({
      targets: { probed, device, plain },
      policy: { execution: { retries: 0, circuit } },
    });
    track(router);
    await expect(router.generate(ask())).rejects.toMatchObject({ code: 'all-targets-failed' });
    expect(Object.values(router.stats()).map((stats) => stats.circuit)).toEqual(['open', 'open', 'open']);
    // The probed target is the yardstick: by its third probe the others would have been probed too.
    await waitFor(() => probed.statusChecks >= 3);
    expect(device.statusChecks).toBe(0);
    expect(router.stats().plain?.circuit).toBe('open');
  });

  it('stops probing on dispose()', async () => {
    const gpu = createScriptedTarget({
      locality: 'remote',
      script: [{ failWith: serverError }],
      checkStatus: () => unavailable,
    });
    const router = createRouter({ targets: { gpu }, policy: { execution: { retries: 0, circuit } } });
    await expect(router.generate(ask())).rejects.toThrow();
    await waitFor(() => gpu.statusChecks >= 2);
    await router.dispose();
    const checks = gpu.statusChecks;
    // Twenty probe intervals: a probe timer that survived dispose() would have fired several times.
    await new Promise((resolve) => setTimeout(resolve, circuit.probeIntervalMs * 20));
    expect(gpu.statusChecks).toBe(checks);
  });
});
