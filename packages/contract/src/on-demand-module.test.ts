import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadedModule, onDemandGiveUpMs, onDemandModule } from './on-demand-module.js';

afterEach(() => {
  vi.useRealTimers();
});

/** An import the test answers by hand, counting how often it was started. */
function heldImport() {
  const calls: { resolve: (value: string) => void; reject: (error: unknown) => void }[] = [];
  const importModule = () =>
    new Promise<string>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { importModule, calls };
}

describe('onDemandModule', () => {
  it('imports nothing until the first load, then imports once however many callers wait', async () => {
    const { importModule, calls } = heldImport();
    const module = onDemandModule(importModule);
    expect(calls).toHaveLength(0);
    expect(module.loaded).toBeUndefined();
    const first = module.load();
    const second = module.load();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('the module');
    expect(await first).toBe('the module');
    expect(await second).toBe('the module');
    expect(module.loaded).toBe('the module');
    expect(await module.load()).toBe('the module');
    expect(calls).toHaveLength(1);
  });

  it('answers a failed import with its error, and the next load imports again', async () => {
    const { importModule, calls } = heldImport();
    const module = onDemandModule(importModule);
    const failed = module.load();
    calls[0]!.reject(new TypeError('Failed to fetch dynamically imported module'));
    const error = await failed;
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('Failed to fetch dynamically imported module');
    expect(module.loaded).toBeUndefined();
    expect(module.problem).toBe(error);
    const retried = module.load();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('the module');
    expect(await retried).toBe('the module');
    expect(module.problem).toBeUndefined();
  });

  it('wraps a rejection that is not an Error', async () => {
    const module = onDemandModule(() => Promise.reject('offline'));
    const error = await module.load();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('offline');
  });

  it('gives up on a stalled import after the give-up time, answers later calls at once, and uses a late answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { importModule, calls } = heldImport();
    const module = onDemandModule(importModule);
    const waiting = module.load();
    await vi.advanceTimersByTimeAsync(onDemandGiveUpMs - 1);
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(((await waiting) as Error).message).toBe('no answer after 10 s');
    expect(module.problem?.message).toBe('no answer after 10 s');
    // No timer is advanced: a later caller is not held again.
    expect(((await module.load()) as Error).message).toBe('no answer after 10 s');
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('late module');
    await vi.waitFor(() => expect(module.loaded).toBe('late module'));
    expect(await module.load()).toBe('late module');
  });

  it('is there from the start when made with loadedModule, as a Node build exports it', async () => {
    const module = loadedModule('the module');
    expect(module.loaded).toBe('the module');
    expect(module.problem).toBeUndefined();
    expect(await module.load()).toBe('the module');
  });
});
