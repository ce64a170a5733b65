import * as otel from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { GenerateRequest } from '@switchyard/contract';
import { AbortError, onDemandGiveUpMs, SwitchyardError, TimeoutError } from '@switchyard/contract';
import { holdImport } from '@switchyard/contract/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoutedGenerateResult } from '../create-router.js';
import { formatUsd } from '../decision/explain-plan.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// Core's browser build loads the request execution code (execute-plan.ts and what only it uses) on demand: a chunk of
// its own in a page, started by createRouter (bench row 10). These tests load core afresh as the browser build bundles
// it (load-execution.browser.ts for load-execution.ts, and load-queue-class.browser.ts, whose p-queue loads at once),
// with the execution code's import held back until the test lets it through (a stand-in for a slow chunk download),
// failing (a chunk the network lost) or never answering.

afterEach(() => {
  vi.doUnmock('./load-execution.js');
  vi.doUnmock('./load-queue-class.js');
  vi.doUnmock('./execute-plan.js');
  vi.useRealTimers();
});

/** A fresh browser-build core whose `import('./execute-plan.js')` waits for `release()`; the first `failures` fail. */
async function browserCoreWithHeldExecution({ failures = 0 } = {}) {
  vi.resetModules();
  const held = holdImport(() => vi.importActual('./execute-plan.js'), { failures });
  vi.doMock('./load-execution.js', () => import('./load-execution.browser.js'));
  vi.doMock('./load-queue-class.js', () => import('./load-queue-class.browser.js'));
  vi.doMock('./execute-plan.js', held.load);
  const { createRouter } = await import('../create-router.js');
  return { createRouter, release: held.release, imports: held.imports };
}

const ask = (content = 'Hello'): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 8 });
const privately: GenerateRequest = { ...ask('My card is 4111 1111 1111 1111'), routing: { privacy: 'private' } };

const remoteOnlyTargets = () => ({
  cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote', script: [{ text: 'From the cloud.' }] }),
});
const mixedTargets = () => ({
  device: createScriptedTarget({ id: 'llamacpp:tiny', locality: 'local', script: [{ text: 'From the device.' }] }),
  cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote', script: [{ text: 'From the cloud.' }] }),
});

async function partsOf(stream: AsyncIterable<RouterStreamPart>): Promise<RouterStreamPart[]> {
  const parts: RouterStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/** What a request answered (or the error it failed with), without what differs between any two requests. */
async function outcomeOf(answer: Promise<RoutedGenerateResult>) {
  let result: RoutedGenerateResult;
  try {
    result = await answer;
  } catch (error) {
    return { error: (error as SwitchyardError).code, message: (error as Error).message };
  }
  return {
    text: result.text,
    finishReason: result.finishReason,
    target: result.route.target,
    attempts: result.route.attempts.map((attempt) => [attempt.target, attempt.outcome]),
    order: result.route.plan.plan.map((entry) => entry.target),
    excluded: result.route.plan.excluded.map((entry) => [entry.target, entry.reason]),
  };
}
/** A finished span without what differs between any two requests (the request id, times and rates). */
function spanOf(span: ReadableSpan) {
  const attributes = Object.fromEntries(
    Object.entries(span.attributes).filter(([key]) => !/request\.id|_ms$|per_second/.test(key)),
  );
  return { name: span.name, kind: span.kind, status: span.status, attributes, events: span.events.map((e) => e.name) };
}
const streamedOf = (parts: RouterStreamPart[]) =>
  parts.map((part) => (part.type === 'text-delta' ? part.text : part.type));

describe('the browser build loads the request execution code on demand', () => {
  for (const [kind, targets] of [
    ['a remote-only router', remoteOnlyTargets],
    ['a router with a local target', mixedTargets],
  ] as const) {
    it(`starts it with ${kind}, and answers requests started while it loads as after the load`, async () => {
      const { createRouter, release, imports } = await browserCoreWithHeldExecution();
      // Importing core fetches nothing; creating a router starts the import.
      expect(imports()).toBe(0);
      const router = createRouter({ targets: targets() });
      await vi.waitFor(() => expect(imports()).toBe(1));
      // The decisions and attempt outcomes announced for the requests started before the load, and after it.
      const seen = { before: [] as string[], after: [] as string[] };
      let phase: keyof typeof seen = 'before';
      router.on('decision', (event) => seen[phase].push(`decided ${event.plan.plan[0]?.target ?? 'nothing'}`));
      router.on('attempt', (event) => {
        if (event.phase === 'end') seen[phase].push(`${event.target} ${event.attempt?.outcome}`);
      });
      // Planning needs no execution code; stream() hands back its iterable at once.
      const planned = router.plan(ask()).plan.map((entry) => entry.target);
      const early = [router.generate(ask()), router.generate(privately)];
      const earlyStream = partsOf(router.stream(ask()));
      expect(seen.before).toEqual([]);
      release();
      const [before, beforePrivate] = await Promise.all(early.map(outcomeOf));
      const streamedBefore = await earlyStream;
      phase = 'after';
      const after = await outcomeOf(router.generate(ask()));
      const afterPrivate = await outcomeOf(router.generate(privately));
      const streamedAfter = await partsOf(router.stream(ask()));
      expect(before).toEqual(after);
      // A remote-only router refuses a private request (no-eligible-target) before the load as after it.
      expect(beforePrivate).toEqual(afterPrivate);
      expect(streamedOf(streamedBefore)).toEqual(streamedOf(streamedAfter));
      expect(before).toMatchObject({ target: planned[0] });
      expect(seen.before.sort()).toEqual(seen.after.sort());
      expect(seen.before).toContain(`decided ${planned[0]}`);
      expect(imports()).toBe(1);
    });
  }

  it('traces and books a request started while it loads as one started after the load', async () => {
    const { createRouter, release } = await browserCoreWithHeldExecution();
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const cloud = createScriptedTarget({
      id: 'openai:big',
      locality: 'remote',
      capabilities: { price: { inputPer1M: 100_000, outputPer1M: 200_000 } },
      script: [{ text: 'From the cloud.' }],
    });
    const router = createRouter({
      targets: { cloud },
      policy: { budget: { maxCostUsd: { amount: 10, period: 'day' } } },
      telemetry: { api: otel, tracerProvider },
    });
    const early = router.generate(ask());
    release();
    const before = await early;
    const spansBefore = exporter.getFinishedSpans().map(spanOf);
    exporter.reset();
    const after = await router.generate(ask());
    const spansAfter = exporter.getFinishedSpans().map(spanOf);
    expect(spansBefore).toEqual(spansAfter);
    expect(spansBefore.map((span) => span.name)).toContain('chat');
    expect(before.route.costUsd).toBeGreaterThan(0.1);
    expect(before.route.costUsd).toBe(after.route.costUsd);
    // Both were booked against the period budget: what a request too big for it is told is left.
    const left = 10 - before.route.costUsd - after.route.costUsd;
    const tooBig = router.plan({ ...ask(), maxTokens: 8_000 });
    expect(tooBig.excluded[0]?.detail).toMatch(new RegExp(`the \\$${formatUsd(left).replace('.', '\\.')} left`));
    expect(router.stats().cloud?.spentUsd).toBeCloseTo(before.route.costUsd * 2);
    await tracerProvider.shutdown();
  });

  it('fails the requests with a typed error while it cannot load, and the next request loads it again', async () => {
    const { createRouter, release, imports } = await browserCoreWithHeldExecution({ failures: 1 });
    const targets = mixedTargets();
    const router = createRouter({ targets });
    const decisions: unknown[] = [];
    router.on('decision', (event) => decisions.push(event));
    const answer = router.generate(ask()).catch((error: unknown) => error);
    const streamed = partsOf(router.stream(ask())).catch((error: unknown) => error);
    release();
    for (const failure of [await answer, await streamed]) {
      expect(SwitchyardError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({ code: 'internal', isRetryable: true });
      expect((failure as Error).message).toMatch(
        // (What the import failed with comes between: vitest's own words about a mock that threw "chunk lost".)
        /^Could not load Switchyard's request execution code \(.*\): .+\. No target was called; the next request tries to load it again\.$/s,
      );
    }
    // Nothing was planned, announced or sent.
    expect(decisions).toEqual([]);
    expect(targets.device.calls).toHaveLength(0);
    expect(targets.cloud.calls).toHaveLength(0);
    expect(imports()).toBe(1);
    // The next request imports it again; this time it loads.
    expect((await router.generate(ask())).text).toBe('From the device.');
    expect(imports()).toBe(2);
    expect(streamedOf(await partsOf(router.stream(ask())))).toContain('From ');
  });

  it('ends a request waiting for it when its caller aborts, with the AbortError an abort ends it with elsewhere', async () => {
    const { createRouter, release } = await browserCoreWithHeldExecution();
    const targets = mixedTargets();
    const router = createRouter({ targets });
    const decisions: unknown[] = [];
    router.on('decision', (event) => decisions.push(event));
    const stop = new AbortController();
    const answer = router.generate({ ...ask(), signal: stop.signal }).catch((error: unknown) => error);
    const streamed = partsOf(router.stream({ ...ask(), signal: stop.signal })).catch((error: unknown) => error);
    const reason = new Error('the user closed the tab');
    stop.abort(reason);
    for (const failure of [await answer, await streamed]) {
      expect(AbortError.isInstance(failure)).toBe(true);
      expect((failure as AbortError).cause).toBe(reason);
    }
    // Ended while the chunk is still held back: nothing was planned, announced or sent.
    expect(decisions).toEqual([]);
    expect(targets.device.calls.length + targets.cloud.calls.length).toBe(0);
    // Requests without a signal still wait for it, and run once it has loaded.
    const waiting = router.generate(ask());
    release();
    expect((await waiting).text).toBe('From the device.');
  });

  it('ends a request waiting for it at its routing.deadlineMs, which counts the wait, with the deadline TimeoutError', async () => {
    // Date too: the router's clock (Date.now) tells the execution how much of the deadline the wait left.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { createRouter, release, imports } = await browserCoreWithHeldExecution();
    // A target that never answers: only the deadline ends a request that reaches it.
    const cloud = createScriptedTarget({ id: 'openai:big', locality: 'remote', script: [{ hang: true }] });
    const router = createRouter({ targets: { cloud } });
    const decisions: unknown[] = [];
    router.on('decision', (event) => decisions.push(event));
    const inTwoSeconds: GenerateRequest = { ...ask(), routing: { deadlineMs: 2_000 } };
    const answer = router.generate(inTwoSeconds).catch((error: unknown) => error);
    const streamed = partsOf(router.stream(inTwoSeconds)).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(2_000);
    for (const failure of [await answer, await streamed]) {
      expect(TimeoutError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({ phase: 'deadline', timeoutMs: 2_000 });
      expect((failure as Error).message).toBe('Timed out after 2000 ms (deadline)');
    }
    // Ended while the chunk is still held back: nothing was planned, announced or sent.
    expect(imports()).toBe(1);
    expect(decisions).toEqual([]);
    expect(cloud.calls).toHaveLength(0);
    // A request whose chunk arrives within its deadline runs for what is left of it: 1.5 s of its 2 s went on the
    // wait, so the target is cut off 0.5 s after it was called (a deadline started after the wait would allow 2 s).
    const late = router.generate(inTwoSeconds).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_500);
    release();
    await vi.waitFor(() => expect(cloud.calls).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(500);
    const failure = await late;
    expect(TimeoutError.isInstance(failure) && failure.phase).toBe('deadline');
    expect(decisions).toHaveLength(1);
  });

  it('scores targets against what the wait left of routing.deadlineMs, not the whole of it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { createRouter, release } = await browserCoreWithHeldExecution();
    // auto mode: the cloud (expected first token after 1 s) fits a 2 s deadline, not the 0.5 s a 1.5 s wait leaves.
    const router = createRouter({
      targets: mixedTargets(),
      policy: {
        mode: 'auto',
        targets: { device: { expectedTtftMs: 100 }, cloud: { expectedTtftMs: 1_000, quality: 'large' } },
      },
    });
    const inTwoSeconds: GenerateRequest = { ...ask(), routing: { deadlineMs: 2_000 } };
    const before = router.plan(inTwoSeconds);
    const answer = router.generate(inTwoSeconds);
    await vi.advanceTimersByTimeAsync(1_500);
    release();
    const { route } = await answer;
    expect(before.explanation.join('\n')).not.toContain('> deadline');
    expect(route.plan.explanation.join('\n')).toMatch(/cloud[^\n]*> deadline 500 ms/);
    expect(route.plan.plan[0]?.target).toBe('device');
  });

  it('fails the requests waiting for a chunk whose download stalls, instead of holding them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { createRouter, release } = await browserCoreWithHeldExecution();
    const router = createRouter({ targets: remoteOnlyTargets() });
    const answer = router.generate(ask()).catch((error: unknown) => error);
    const streamed = partsOf(router.stream(ask())).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(onDemandGiveUpMs);
    for (const failure of [await answer, await streamed]) {
      expect(failure).toMatchObject({ code: 'internal', isRetryable: true });
      expect((failure as Error).message).toMatch(/execution code .*: no answer after 10 s\./);
    }
    // Later requests do not wait for the stalled import again (no timer is advanced for this one).
    expect(await router.generate(ask()).catch((error: unknown) => error)).toMatchObject({ code: 'internal' });
    // When it answers after all, requests run.
    release();
    await vi.waitFor(async () => expect((await router.generate(ask())).text).toBe('From the cloud.'));
  });
});
