import { AbortError, ConnectionError, type TargetStatus } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { StatusTracker } from './status-tracker.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('StatusTracker', () => {
  it('starts optimistic, and the first read starts one background probe whose answer later reads see', async () => {
    let probes = 0;
    const tracker = new StatusTracker({
      target: 't',
      probe: async () => {
        probes += 1;
        return { state: 'unavailable', code: 'model-missing', reason: 'not pulled' };
      },
      refreshMs: 60_000,
    });
    expect(tracker.read()).toEqual({ state: 'ready' });
    expect(tracker.read()).toEqual({ state: 'ready' });
    await tracker.check();
    expect(probes).toBe(1);
    expect(tracker.read()).toMatchObject({ state: 'unavailable', code: 'model-missing' });
    await tracker.dispose();
  });

  it('shares one probe between concurrent checks and reuses it within cacheMs', async () => {
    let probes = 0;
    const gate = deferred<TargetStatus>();
    const tracker = new StatusTracker({
      target: 't',
      cacheMs: 60_000,
      probe: () => {
        probes += 1;
        return gate.promise;
      },
    });
    const both = Promise.all([tracker.check(), tracker.check()]);
    gate.resolve({ state: 'loading' });
    expect(await both).toEqual([{ state: 'loading' }, { state: 'loading' }]);
    expect(await tracker.check()).toEqual({ state: 'loading' });
    expect(probes).toBe(1);
  });

  it('turns a thrown probe error into unavailable with its code and the message redacted', async () => {
    const tracker = new StatusTracker({
      target: 't',
      probe: async () => {
        throw new ConnectionError({ url: 'http://127.0.0.1:9?key=sk-9', systemCode: 'ECONNREFUSED' });
      },
      redact: (text) => text.replaceAll('sk-9', '[redacted]'),
    });
    const status = await tracker.check();
    expect(status).toMatchObject({ state: 'unavailable', code: 'unreachable' });
    expect(JSON.stringify(status)).not.toContain('sk-9');
  });

  it('reports a probe that never answers as a timeout, without waiting for it', async () => {
    const tracker = new StatusTracker({ target: 't', probeTimeoutMs: 20, probe: () => new Promise(() => {}) });
    // The probe ignores its signal entirely: the tracker must still settle.
    const status = await Promise.race([
      tracker.check(),
      new Promise<TargetStatus>((resolve) =>
        setTimeout(() => resolve({ state: 'unavailable', code: 'probe-failed', reason: 'hang guard' }), 5000),
      ),
    ]);
    expect(status).toMatchObject({ state: 'unavailable', code: 'timeout' });
  });

  it('rejects a caller who gives up with AbortError, aborts the probe when no one else waits, keeps the status', async () => {
    let aborted = false;
    const tracker = new StatusTracker({
      target: 't',
      probe: (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
    });
    const controller = new AbortController();
    const pending = tracker.check(controller.signal);
    controller.abort();
    await expect(pending).rejects.toSatisfy(AbortError.isInstance);
    expect(aborted).toBe(true);
    expect(tracker.peek()).toEqual({ state: 'ready' });
  });

  it('aborts a probe in flight on dispose, so a hung server cannot hold dispose up', async () => {
    const tracker = new StatusTracker({
      target: 't',
      probe: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    tracker.read();
    await tracker.dispose();
    tracker.read();
    expect(tracker.peek()).toEqual({ state: 'ready' });
  });

  it('learns from calls: a connection failure marks it unreachable, an answer ends that', () => {
    const tracker = new StatusTracker({ target: 't', probe: async () => ({ state: 'ready' }) });
    tracker.observe(new ConnectionError({ url: 'http://127.0.0.1:9', systemCode: 'ECONNREFUSED' }));
    expect(tracker.peek()).toMatchObject({ state: 'unavailable', code: 'unreachable' });
    tracker.observe(undefined);
    expect(tracker.peek()).toEqual({ state: 'ready' });
  });
});
