import {
  AbortError,
  ConnectionError,
  InvalidResponseError,
  type SwitchyardError,
  TimeoutError,
} from '@switchyard/contract';
import { type FaultProxy, startFaultProxy } from '@switchyard/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget, type OpenAISettings, type OpenAITarget } from '../src/index.js';
import { call, server, useLlamaServer } from './llama-server-fixture.js';

// generate() asks for one JSON body (`stream: false`) and the target declares `wholeAnswers`, so router.generate()
// uses it; with `firstTokenTimeoutMs` it streams and collects instead (that deadline needs a first token). A real
// llama-server behind the testkit fault proxy, which records what was asked and injects faults into the JSON body.

useLlamaServer();
let proxy: FaultProxy;
const targets: OpenAITarget[] = [];
beforeAll(async () => {
  proxy = await startFaultProxy({ upstream: server.origin });
});
afterEach(async () => {
  proxy.setFault(null);
  proxy.clearRequests();
  for (const target of targets.splice(0)) await target.dispose?.();
});
afterAll(async () => {
  await proxy?.close();
});

function target(settings: Partial<OpenAISettings> = {}): OpenAITarget {
  const created = createOpenAITarget({
    baseURL: `${proxy.url}/v1`,
    model: server.model,
    timeoutMs: 3_000,
    ...settings,
  });
  targets.push(created);
  return created;
}

/** Whether each recorded chat request asked for a stream. */
const streamedRequests = () =>
  proxy.requests
    .filter((request) => request.path.endsWith('/chat/completions'))
    .map((request) => (JSON.parse(request.body.toString()) as { stream?: boolean }).stream === true);

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as SwitchyardError,
  );

describe('adapter-openai whole answers (llama-server behind the fault proxy)', () => {
  it('declares wholeAnswers and asks for one JSON body; with firstTokenTimeoutMs it streams and collects', async () => {
    const json = target();
    const collecting = target({ firstTokenTimeoutMs: 30_000 });
    expect(json.capabilities.wholeAnswers).toBe(true);
    expect(collecting.capabilities.wholeAnswers).toBeUndefined();
    const whole = await json.generate(call);
    const collected = await collecting.generate(call);
    expect(streamedRequests()).toEqual([false, true]);
    // Greedy decoding: both paths give the same answer and the same usage.
    expect(collected).toEqual(whole);
    expect(whole.text.length).toBeGreaterThan(0);
    expect(whole.usage?.outputTokens).toBeGreaterThan(0);
  });

  it('applies firstTokenTimeoutMs to generate() (streamed), which a JSON body could not', async () => {
    proxy.setFault({ type: 'hang' });
    const error = await failure(target({ firstTokenTimeoutMs: 300, timeoutMs: 10_000 }).generate(call));
    expect(TimeoutError.isInstance(error), String(error)).toBe(true);
    expect(error?.message).toContain('first-token');
  });

  it('fails JSON-body faults with typed errors: reset mid-body, truncated, invalid, empty, stalled, slow', async () => {
    const cases = [
      { fault: { type: 'reset-before-first-byte' as const }, error: ConnectionError },
      // The whole body is one "event" to the proxy: sent, then the connection reset before the body ends.
      { fault: { type: 'reset-after-events' as const, events: 1 }, error: ConnectionError },
      { fault: { type: 'truncate-after-events' as const, events: 0 }, error: InvalidResponseError },
      { fault: { type: 'malformed-sse' as const, afterEvents: 0 }, error: InvalidResponseError },
      { fault: { type: 'end-after-events' as const, events: 0 }, error: InvalidResponseError },
      { fault: { type: 'hang-after-events' as const, events: 1 }, error: TimeoutError },
      { fault: { type: 'delay-first-byte' as const, ms: 5_000 }, error: TimeoutError },
    ];
    const seen = [];
    for (const { fault, error } of cases) {
      proxy.setFault(fault);
      const caught = await failure(target({ timeoutMs: 1_000 }).generate(call));
      seen.push({
        fault: fault.type,
        typed: error.isInstance(caught),
        retryable: caught?.isRetryable,
        got: caught?.code,
      });
    }
    expect(seen).toEqual(
      cases.map(({ fault }) => ({ fault: fault.type, typed: true, retryable: true, got: expect.any(String) })),
    );
    expect(streamedRequests().every((streamed) => !streamed)).toBe(true);
  });

  it('ends a JSON call when the caller aborts, closing its connection', async () => {
    proxy.setFault({ type: 'hang-after-events', events: 1 });
    const controller = new AbortController();
    const pending = failure(target({ timeoutMs: 30_000 }).generate({ ...call, signal: controller.signal }));
    for (let tries = 0; tries < 500 && proxy.openResponses() === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(proxy.openResponses()).toBe(1);
    controller.abort();
    expect(AbortError.isInstance(await pending)).toBe(true);
    for (let tries = 0; tries < 500 && proxy.openResponses() > 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(proxy.openResponses()).toBe(0);
  });
});
