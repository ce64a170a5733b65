import { AbortError, onDemandGiveUpMs, type StreamPart, TargetUnavailableError } from '@switchyard/contract';
import { holdImport } from '@switchyard/contract/testing';
import { collect, textOf } from '@switchyard/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, server, useLlamaServer } from './llama-server-fixture.js';

// The browser entry loads its call path (HTTP client, request bodies, JSON and SSE parsing, the fetch transport) on
// demand: a chunk of its own in a page, fetched when the first target is created (bench row 10). These tests load the
// browser entry afresh, in Node (same global fetch as a page), with that import held back until the test lets it
// through (a stand-in for a slow chunk download), failing (a chunk the network lost) or never answering; the calls
// themselves go to llama-server.

useLlamaServer();

afterEach(() => {
  vi.doUnmock('../src/browser/fetch-call-path.js');
  vi.useRealTimers();
});

/** A fresh browser entry whose call-path import waits for `release()`; the first `failures` imports fail. */
async function browserEntryWithHeldCallPath({ failures = 0 } = {}) {
  vi.resetModules();
  const held = holdImport(() => vi.importActual('../src/browser/fetch-call-path.js'), { failures });
  vi.doMock('../src/browser/fetch-call-path.js', held.load);
  const entry = await import('../src/browser/index.js');
  return { ...entry, release: held.release, imports: held.imports };
}

const settings = () => ({ baseURL: server.baseURL, model: server.model, healthURL: `${server.origin}/health` });

describe('the browser entry loads its call path on demand', () => {
  it('starts the import when a target is created; calls started meanwhile answer as calls made after it', async () => {
    const { createOpenAITarget, release, imports } = await browserEntryWithHeldCallPath();
    expect(imports()).toBe(0);
    const target = createOpenAITarget({ ...settings(), capabilities: { contextWindow: 4096 } });
    // What the router reads while planning is there before the chunk.
    expect(target.status()).toEqual({ state: 'ready' });
    expect(target.capabilities).toMatchObject({ contextWindow: 4096, wholeAnswers: true });
    await vi.waitFor(() => expect(imports()).toBe(1));
    const early = {
      generated: target.generate(call),
      streamed: collect(target.stream(call)),
      models: target.listModels(),
      status: target.checkStatus?.(),
    };
    release();
    const generated = await early.generated;
    const streamed = await early.streamed;
    expect(textOf(streamed)).toBe(generated.text);
    expect(await early.models).toEqual([expect.objectContaining({ id: server.model })]);
    expect(await early.status).toEqual({ state: 'ready' });
    // After the load: the same answers, and the import is not repeated (a second target included).
    expect((await target.generate(call)).text).toBe(generated.text);
    expect(textOf(await collect(target.stream(call)))).toBe(generated.text);
    const second = createOpenAITarget(settings());
    expect((await second.generate(call)).text).toBe(generated.text);
    expect(imports()).toBe(1);
    await Promise.all([target.dispose?.(), second.dispose?.()]);
  });

  it('ends a call whose caller aborts while the chunk loads with the AbortError it would end with after', async () => {
    const { createOpenAITarget, release } = await browserEntryWithHeldCallPath();
    const target = createOpenAITarget(settings());
    const stop = new AbortController();
    const generated = target.generate({ ...call, signal: stop.signal }).catch((error: unknown) => error);
    const streamed = collect(target.stream({ ...call, signal: stop.signal })).catch((error: unknown) => error);
    stop.abort();
    expect(AbortError.isInstance(await generated)).toBe(true);
    expect(AbortError.isInstance(await streamed)).toBe(true);
    release();
    const aborted = await target.generate({ ...call, signal: stop.signal }).catch((error: unknown) => error);
    expect(AbortError.isInstance(aborted)).toBe(true);
    await target.dispose?.();
  });

  it('fails calls with a retryable TargetUnavailableError while the chunk cannot load; the next call loads it', async () => {
    const { createOpenAITarget, release, imports } = await browserEntryWithHeldCallPath({ failures: 1 });
    const target = createOpenAITarget(settings());
    const generated = target.generate(call).catch((error: unknown) => error);
    const streamed = collect(target.stream(call)).catch((error: unknown) => error);
    release();
    for (const failure of [await generated, await streamed]) {
      expect(TargetUnavailableError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({
        code: 'target-unavailable',
        isRetryable: true,
        target: `openai:${server.model}`,
      });
      // (vitest words the import's error its own way: a failed mock factory.)
      expect((failure as Error).message).toMatch(
        /its call path \(@switchyard\/adapter-openai's on-demand chunk\) could not be loaded \(.+\); the next call tries again$/,
      );
    }
    expect(imports()).toBe(1);
    // The status is not changed by it: the server itself was never asked.
    expect(target.status()).toEqual({ state: 'ready' });
    const parts: StreamPart[] = await collect(target.stream(call));
    expect(parts.at(-1)?.type).toBe('finish');
    expect(imports()).toBe(2);
    await target.dispose?.();
  });

  it('reads unavailable after a status check that could not load the chunk; the next check loads it and probes', async () => {
    const { createOpenAITarget, release } = await browserEntryWithHeldCallPath({ failures: 1 });
    const target = createOpenAITarget(settings());
    const checked = target.checkStatus?.();
    release();
    const unavailable = {
      state: 'unavailable',
      code: 'probe-failed',
      reason: expect.stringMatching(/its call path .* could not be loaded .*; the next call tries again$/),
    };
    expect(await checked).toEqual(unavailable);
    expect(target.status()).toEqual(unavailable);
    expect(await target.checkStatus?.()).toEqual({ state: 'ready' });
    expect(target.status()).toEqual({ state: 'ready' });
    await target.dispose?.();
  });

  it('gives up on a chunk whose download stalls after 10 s, and uses it when it answers after all', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { createOpenAITarget, release } = await browserEntryWithHeldCallPath();
    const target = createOpenAITarget(settings());
    const generated = target.generate(call).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(onDemandGiveUpMs);
    const failure = await generated;
    expect(TargetUnavailableError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/could not be loaded \(no answer after 10 s\)/);
    // Later calls do not wait for the stalled import again (no timer is advanced for this one).
    const again = await collect(target.stream(call)).catch((error: unknown) => error);
    expect((again as Error).message).toMatch(/no answer after 10 s/);
    vi.useRealTimers();
    release();
    await vi.waitFor(async () => expect((await target.generate(call)).finishReason).toBeDefined());
    await target.dispose?.();
  });
});
