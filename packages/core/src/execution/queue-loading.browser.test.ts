import { type GenerateRequest, onDemandGiveUpMs } from '@switchyard/contract';
import { holdImport } from '@switchyard/contract/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// Core's browser build loads p-queue (the local targets' queues) on demand: a chunk of its own in a page, fetched only
// by a router with a local target (bench row 10). These tests load core afresh as the browser build bundles it
// (load-queue-class.browser.ts for load-queue-class.ts), with the p-queue import held back until the test lets it
// through (a stand-in for a slow chunk download), failing (a chunk the network lost) or never answering.

afterEach(() => {
  vi.doUnmock('./load-queue-class.js');
  vi.doUnmock('p-queue');
  vi.useRealTimers();
});

/** A fresh browser-build core whose `import('p-queue')` waits for `release()`; the first `failures` imports fail. */
async function browserCoreWithHeldQueue({ failures = 0 } = {}) {
  vi.resetModules();
  const held = holdImport(() => vi.importActual('p-queue'), { failures });
  vi.doMock('./load-queue-class.js', () => import('./load-queue-class.browser.js'));
  vi.doMock('p-queue', held.load);
  const { createRouter } = await import('../create-router.js');
  return { createRouter, release: held.release, imports: held.imports };
}

const ask = (content = 'Hello'): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 8 });
const privately: GenerateRequest = { ...ask(), routing: { privacy: 'private' } };

describe('the browser build loads p-queue on demand', () => {
  it('is fetched by a router with a local target, never by one with remote targets only', async () => {
    const { createRouter, release, imports } = await browserCoreWithHeldQueue();
    const remoteOnly = createRouter({
      targets: { cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }) },
    });
    expect((await remoteOnly.generate(ask())).route.target).toBe('cloud');
    expect(imports()).toBe(0);
    const withDevice = createRouter({ targets: { device: createScriptedTarget({ locality: 'local' }) } });
    await vi.waitFor(() => expect(imports()).toBe(1));
    const answer = withDevice.generate(ask());
    release();
    expect((await answer).route.target).toBe('device');
  });

  it('queues requests that start while it loads, as after the load: one runs, the others wait their turn', async () => {
    const { createRouter, release } = await browserCoreWithHeldQueue();
    const device = createScriptedTarget({ locality: 'local', script: [{ hang: true }] });
    const router = createRouter({ targets: { device }, policy: { targets: { device: { concurrency: 1 } } } });
    // Planned before the load as after it: nothing is queued yet, the device is eligible.
    expect(router.plan(ask()).plan.map((entry) => entry.target)).toEqual(['device']);
    const stop = new AbortController();
    const answers = [1, 2, 3].map(() => router.generate({ ...ask(), signal: stop.signal }).catch((error) => error));
    const parts = (async () => {
      for await (const _part of router.stream({ ...ask(), signal: stop.signal }));
    })().catch((error) => error);
    expect(device.active).toBe(0);
    release();
    await vi.waitFor(() => expect(router.stats().device?.queueDepth).toBe(3));
    expect(device.active).toBe(1);
    expect(device.calls).toHaveLength(1);
    stop.abort();
    for (const outcome of [...(await Promise.all(answers)), await parts]) {
      expect((outcome as Error).name).toBe('AbortError');
    }
  });

  it('reads the local targets as unavailable while it cannot load, and tries again with the next request', async () => {
    const { createRouter, release, imports } = await browserCoreWithHeldQueue({ failures: 1 });
    const router = createRouter({
      targets: {
        device: createScriptedTarget({ locality: 'local' }),
        cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }),
      },
    });
    const answer = router.generate(ask());
    const secret = router.generate(privately).catch((error: unknown) => error);
    release();
    const { route } = await answer;
    expect(route.target).toBe('cloud');
    expect(route.plan.excluded).toEqual([
      expect.objectContaining({
        target: 'device',
        reason: 'unavailable',
        detail: expect.stringMatching(/^its request queue \(p-queue\) could not be loaded: /),
      }),
    ]);
    // Private requests fail closed, as with any unavailable local target (a fresh core: its own copy of the class).
    expect(((await secret) as { code?: string }).code).toBe('no-eligible-target');
    expect(imports()).toBe(1);
    // The next request imports it again; this time it loads.
    expect((await router.generate(privately)).route.target).toBe('device');
    expect(imports()).toBe(2);
  });

  it('stops holding requests for a chunk whose download stalls, reading the local targets as unavailable', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { createRouter } = await browserCoreWithHeldQueue();
    const router = createRouter({
      targets: {
        device: createScriptedTarget({ locality: 'local' }),
        cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }),
      },
    });
    const answer = router.generate(ask());
    await vi.advanceTimersByTimeAsync(onDemandGiveUpMs);
    const { route } = await answer;
    expect(route.target).toBe('cloud');
    expect(route.plan.excluded[0]?.detail).toMatch(/p-queue\) could not be loaded: no answer after 10 s/);
    // Later requests do not wait for the stalled import again (no timer is advanced for this one).
    expect((await router.generate(ask())).route.target).toBe('cloud');
  });

  it('creates the queues when a stalled import answers after all', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { createRouter, release } = await browserCoreWithHeldQueue();
    const router = createRouter({
      targets: {
        device: createScriptedTarget({ locality: 'local' }),
        cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }),
      },
    });
    const answer = router.generate(ask());
    await vi.advanceTimersByTimeAsync(onDemandGiveUpMs);
    expect((await answer).route.target).toBe('cloud');
    release();
    await vi.waitFor(async () => expect((await router.generate(ask())).route.target).toBe('device'));
  });
});
