import * as otel from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { AbortError, type GenerateRequest, TimeoutError } from '@switchyard/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// The request-trace code is loaded on demand (a chunk of its own in a page: bench row 10). These tests load core
// afresh with that import held back until the test lets it through (a stand-in for a slow chunk download), so
// requests start while it is still loading, and with it failing (a chunk the network lost).

const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
beforeAll(() => otel.trace.setGlobalTracerProvider(tracerProvider));
afterAll(async () => {
  otel.trace.disable();
  await tracerProvider.shutdown();
});
afterEach(() => {
  exporter.reset();
  vi.doUnmock('./request-trace.js');
  vi.useRealTimers();
});

const ask: GenerateRequest = { messages: [{ role: 'user', content: 'Hello' }], maxTokens: 8 };
const spanNames = () =>
  exporter
    .getFinishedSpans()
    .map((span) => span.name)
    .sort();

/** A fresh core whose `import('./request-trace.js')` waits for `release()` (or fails when `fail` is set). */
async function coreWithHeldTraces({ fail = false } = {}) {
  vi.resetModules();
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let asked = false;
  vi.doMock('./request-trace.js', async () => {
    asked = true;
    await released;
    if (fail) throw new Error('chunk lost');
    return vi.importActual('./request-trace.js');
  });
  const { createRouter } = await import('../create-router.js');
  const loader = await import('./load-opentelemetry.js');
  return { createRouter, loader, release, wasAsked: () => asked };
}

describe('the request-trace code, loaded on demand', () => {
  it('traces requests that start while it is still loading, generate() and stream() alike', async () => {
    const { createRouter, loader, release, wasAsked } = await coreWithHeldTraces();
    const router = createRouter({ targets: { device: createScriptedTarget({ id: 'llamacpp:tiny' }) } });
    await vi.waitFor(() => expect(wasAsked()).toBe(true));
    expect(loader.requestTraces()).toBeUndefined();
    const answer = router.generate(ask);
    const parts = (async () => {
      for await (const _part of router.stream(ask));
    })();
    release();
    await answer;
    await parts;
    expect(loader.requestTraces()).toBeDefined();
    expect(spanNames()).toEqual(['chat', 'chat', 'chat tiny', 'chat tiny']);
  });

  it('starts loading it with a router given the API module (as a page does) and traces its first request', async () => {
    const { createRouter, loader, release } = await coreWithHeldTraces();
    const router = createRouter({
      targets: { device: createScriptedTarget({ id: 'llamacpp:tiny' }) },
      telemetry: { api: otel, tracerProvider },
    });
    const answer = router.generate(ask);
    expect(loader.requestTraces()).toBeUndefined();
    release();
    await answer;
    expect(spanNames()).toEqual(['chat', 'chat tiny']);
  });

  it('ends a request waiting for it when its caller aborts or its deadline passes, as the other waits do', async () => {
    const { createRouter, release } = await coreWithHeldTraces();
    const device = createScriptedTarget({ id: 'llamacpp:tiny' });
    const router = createRouter({ targets: { device }, telemetry: { api: otel, tracerProvider } });
    const stop = new AbortController();
    const aborting: GenerateRequest = { ...ask, signal: stop.signal };
    const answer = router.generate(aborting).catch((error: unknown) => error);
    const streamed = (async () => {
      for await (const _part of router.stream(aborting));
    })().catch((error: unknown) => error);
    const reason = new Error('the user closed the tab');
    stop.abort(reason);
    for (const failure of [await answer, await streamed]) {
      expect(AbortError.isInstance(failure)).toBe(true);
      expect((failure as AbortError).cause).toBe(reason);
    }
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const late = router.generate({ ...ask, routing: { deadlineMs: 1_000 } }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    const failure = await late;
    expect(TimeoutError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ phase: 'deadline', timeoutMs: 1_000 });
    vi.useRealTimers();
    // All three ended while the import is still held back: nothing was sent or traced.
    expect(device.calls).toHaveLength(0);
    expect(spanNames()).toEqual([]);
    release();
    await router.generate(ask);
    expect(spanNames()).toEqual(['chat', 'chat tiny']);
  });

  it('runs requests untraced, not failed, when it cannot load', async () => {
    const { createRouter, loader, release } = await coreWithHeldTraces({ fail: true });
    const router = createRouter({
      targets: { device: createScriptedTarget({ id: 'llamacpp:tiny' }) },
      telemetry: { api: otel, tracerProvider },
    });
    const answer = router.generate(ask);
    release();
    expect((await answer).text.length).toBeGreaterThan(0);
    expect(loader.requestTraces()).toBeNull();
    expect(spanNames()).toEqual([]);
  });
});
