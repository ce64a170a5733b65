/**
 * The fault matrix: every fault × (generate, stream) × (with, without a fallback target), on real servers —
 * llama.cpp's llama-server behind the testkit fault proxy as the remote target, node-llama-cpp in process as the
 * local target, both on the generated tiny model with greedy sampling, so every answer can be checked exactly.
 *
 * Default target settings throughout: the remote target detects continuation from llama-server itself, nothing is
 * declared by hand, and the router runs with its default `midStream: 'continue'`.
 *
 * With a fallback the caller must get the complete answer: the fallback's own answer when nothing was shown yet, or
 * exactly `prefix + the fallback's continuation of prefix` after a mid-stream failover (no lost or repeated text).
 * With a fallback that cannot continue, a stream that already showed text ends with `StreamInterruptedError` holding
 * exactly what was shown (a consumer that concatenates deltas never sees text twice), while `generate()` (nothing
 * shown) restarts on the fallback and records it in `route.failovers`.
 * Without a fallback it must get one typed error within the deadline, and a stream must never end with `finish`.
 *
 * `generate()` runs twice per case. Plain `generate` uses default settings, so the router asks the remote target for
 * one JSON body (adapter-openai declares `wholeAnswers` unless its `firstTokenTimeoutMs` is set, and the router uses it
 * when no first-token or stall timeout or hedge needs the first token): an SSE fault then has a JSON-body form
 * (`json` below: reset mid-body, truncated / invalid / empty body, a body that never ends), and nothing was shown when
 * it fails, so the fallback answers from the start. `generate (streamed)` gives the router a generous first-token
 * timeout that never fires, so it streams as before and the SSE faults apply unchanged.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLlamaCppTarget, type LlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { createOpenAITarget, type OpenAITarget } from '@switchyard/adapter-openai';
import {
  AllTargetsFailedError,
  type GenerateRequest,
  NoEligibleTargetError,
  StreamInterruptedError,
  SwitchyardError,
  type SwitchyardErrorCode,
  type Target,
} from '@switchyard/contract';
import { createRouter, type Router, type RouterStreamPart } from '@switchyard/core';
import {
  ensureTinyModel,
  type Fault,
  type FaultProxy,
  type LlamaServer,
  startFaultProxy,
  startLlamaServer,
} from '@switchyard/testkit';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startResettingServer } from './support/broken-endpoints.js';
import { concatenatedText, drain, eventually, settle, visibleText } from './support/drain.js';
import { instrument } from './support/instrument.js';
import { closeAll } from './support/teardown.js';

const prompt = 'Tell me about rail yards';
const maxTokens = 24;
/** The whole request's deadline; every case must end (answer or typed error) well before it. */
const deadlineMs = 12_000;
/** Hang guard: a result that arrives later than this after the deadline counts as a hang. */
const hangMarginMs = 2_000;

type RemoteKind = 'proxied' | 'refused' | 'reset';
type LocalKind = 'missing' | 'corrupt' | 'crash-before-first-token' | 'crash-mid-stream';

interface FaultCase {
  name: string;
  side: 'remote' | 'local';
  remote?: RemoteKind;
  fault?: Fault;
  local?: LocalKind;
  /**
   * The remote adapter's own deadlines for the hang cases, so they prove "typed error within the deadline" quickly.
   * Set on the adapter, not the router's `execution`, so a fallback slowed by a loaded machine is not cut off too
   * (the router's `firstTokenTimeoutMs` is exercised by the load test's hangs).
   */
  deadlines?: { timeoutMs?: number; firstTokenTimeoutMs?: number };
  /** Router execution settings for the case (merged over `retries: 0`). */
  execution?: { stallTimeoutMs?: number };
  /** The code of the failed attempt's error. */
  code: SwitchyardErrorCode;
  /** Whether the primary gets to show text before it fails (so the fallback must continue, not restart). */
  midStream: boolean;
  /** The fault's form for a JSON body (a whole answer), where the SSE fault does not apply as is; nothing is shown. */
  json?: { fault: Fault; code: SwitchyardErrorCode };
}

const faults: FaultCase[] = [
  { name: 'connection refused', side: 'remote', remote: 'refused', code: 'connection', midStream: false },
  {
    name: 'connection reset before the first byte',
    side: 'remote',
    remote: 'reset',
    code: 'connection',
    midStream: false,
  },
  {
    name: 'connection reset mid-stream after 3 events',
    side: 'remote',
    fault: { type: 'reset-after-events', events: 3 },
    code: 'connection',
    midStream: true,
    // The body (one "event" to the proxy) is sent, then the connection is reset before the body ends.
    json: { fault: { type: 'reset-after-events', events: 1 }, code: 'connection' },
  },
  { name: 'HTTP 500', side: 'remote', fault: { type: 'status', status: 500 }, code: 'api-call', midStream: false },
  { name: 'HTTP 502', side: 'remote', fault: { type: 'status', status: 502 }, code: 'api-call', midStream: false },
  { name: 'HTTP 503', side: 'remote', fault: { type: 'status', status: 503 }, code: 'api-call', midStream: false },
  {
    name: 'HTTP 429 with Retry-After',
    side: 'remote',
    fault: { type: 'status', status: 429, retryAfter: 1 },
    code: 'api-call',
    midStream: false,
  },
  {
    name: 'hang before the first byte',
    side: 'remote',
    fault: { type: 'hang' },
    deadlines: { firstTokenTimeoutMs: 1_000 },
    code: 'timeout',
    midStream: false,
  },
  {
    name: 'hang mid-stream after 3 events',
    side: 'remote',
    fault: { type: 'hang-after-events', events: 3 },
    deadlines: { timeoutMs: 1_500 },
    code: 'timeout',
    midStream: true,
    // The body is sent but never ends: only the adapter's total timeout can end the call.
    json: { fault: { type: 'hang-after-events', events: 1 }, code: 'timeout' },
  },
  {
    name: 'slow first byte, past the adapter timeout',
    side: 'remote',
    fault: { type: 'delay-first-byte', ms: 4_000 },
    deadlines: { timeoutMs: 1_500 },
    code: 'timeout',
    midStream: false,
  },
  {
    // The same stall caught by the router instead of the adapter: no total timeout anywhere, only the gap after the
    // first token. Generous, because the local fallback shares two busy cores and must not be cut off itself.
    name: 'stall mid-stream (router stallTimeoutMs)',
    side: 'remote',
    fault: { type: 'hang-after-events', events: 3 },
    execution: { stallTimeoutMs: 2_000 },
    code: 'timeout',
    midStream: true,
  },
  // The bad event usually shares a TCP chunk with the good ones, and the adapter rejects the chunk before yielding
  // any of it; whether text was shown first depends on chunking, and the exact-answer check covers both.
  {
    name: 'malformed SSE after 3 events',
    side: 'remote',
    fault: { type: 'malformed-sse', afterEvents: 3 },
    code: 'invalid-response',
    midStream: false,
    // A body that is not JSON.
    json: { fault: { type: 'malformed-sse', afterEvents: 0 }, code: 'invalid-response' },
  },
  {
    name: 'stream ends cleanly without [DONE]',
    side: 'remote',
    fault: { type: 'drop-done' },
    code: 'invalid-response',
    midStream: true,
    // A JSON body has no [DONE]; its truncation: the first two thirds of the body, then a clean end.
    json: { fault: { type: 'truncate-after-events', events: 0 }, code: 'invalid-response' },
  },
  {
    name: 'stream ends cleanly after 3 events (no finish, no [DONE])',
    side: 'remote',
    fault: { type: 'end-after-events', events: 3 },
    code: 'invalid-response',
    midStream: true,
    // An empty body with a 200.
    json: { fault: { type: 'end-after-events', events: 0 }, code: 'invalid-response' },
  },
  { name: 'local model file missing', side: 'local', local: 'missing', code: 'target-unavailable', midStream: false },
  {
    name: 'local model file corrupt (truncated GGUF)',
    side: 'local',
    local: 'corrupt',
    code: 'target-unavailable',
    midStream: false,
  },
  {
    name: 'local model disposed before its first token',
    side: 'local',
    local: 'crash-before-first-token',
    code: 'target-unavailable',
    midStream: false,
  },
  {
    name: 'local model disposed mid-generation',
    side: 'local',
    local: 'crash-mid-stream',
    code: 'target-unavailable',
    midStream: true,
  },
];

const modes = ['generate', 'generate (streamed)', 'stream'] as const;
/** The router's first-token timeout in `generate (streamed)`: it makes the router stream, and never fires. */
const streamingFirstTokenTimeoutMs = 60_000;
/** `cannot continue`: a fallback that does not declare continuation; only where the primary fails mid-stream. */
type FallbackKind = 'can continue' | 'cannot continue' | 'none';
const matrix = faults.flatMap((fault) =>
  modes.flatMap((mode) =>
    (fault.midStream
      ? (['can continue', 'cannot continue', 'none'] as const)
      : (['can continue', 'none'] as const)
    ).map((fallbackKind: FallbackKind) => ({ ...fault, mode, fallbackKind, withFallback: fallbackKind !== 'none' })),
  ),
);

function request(): GenerateRequest {
  return { messages: [{ role: 'user', content: prompt }], maxTokens, temperature: 0, routing: { deadlineMs } };
}

describe('fault matrix on llama-server, the fault proxy and the local llama.cpp target', () => {
  let modelPath: string;
  let server: LlamaServer;
  let proxy: FaultProxy;
  let agent: Agent;
  let remote: OpenAITarget;
  let refusedURL: string;
  let resetting: Awaited<ReturnType<typeof startResettingServer>>;
  let local: LlamaCppTarget;
  let dir: string;
  /** Greedy answers to the prompt, straight from each target. */
  let remoteAnswer: string;
  let localAnswer: string;
  const disposables: Array<{ dispose?: () => Promise<void> }> = [];
  let router: Router | undefined;

  beforeAll(async () => {
    modelPath = await ensureTinyModel();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-reliability-'));
    server = await startLlamaServer({ modelPath, parallel: 2 });
    proxy = await startFaultProxy({ upstream: server.origin });
    resetting = await startResettingServer();
    agent = new Agent({ connections: 8, keepAliveTimeout: 1_000 });
    refusedURL = `http://127.0.0.1:${await closedPort()}/v1`;
    remote = remoteTarget('proxied');
    // Detected, not declared: llama-server's /props says it continues an assistant prefix.
    await remote.checkStatus?.();
    expect(remote.capabilities.continuation).toBe(true);
    local = createLlamaCppTarget({ modelPath, id: 'device', threads: 1, gpu: false, contextSize: 1024 });
    await local.load();
    remoteAnswer = (await remote.generate(request())).text;
    localAnswer = (await local.generate(request())).text;
    proxy.clearRequests();
  });

  afterEach(async () => {
    proxy.setFault(null);
    proxy.clearRequests();
    // Every case leaves the router with nothing in flight and nothing queued.
    if (router) {
      const settled = await eventually(() =>
        Object.values(router!.stats()).every((stats) => stats.inFlight === 0 && stats.queueDepth === 0),
      );
      await router.dispose();
      router = undefined;
      expect(settled).toBe(true);
    }
    for (const target of disposables.splice(0)) await target.dispose?.();
  });

  afterAll(async () => {
    // Each close runs under its own hang guard, so llama-server is stopped even if something before it hangs.
    await closeAll([
      ['the local target', local && (() => local.dispose())],
      ['the client agent', agent && (() => agent.close())],
      ['the fault proxy', proxy && (() => proxy.close())],
      ['the resetting server', resetting && (() => resetting.close())],
      ['llama-server', server && (() => server.stop())],
    ]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A fresh remote target per case: a connection error marks an OpenAI target unavailable until a later success or
   * probe (passive health), which would exclude it from the next case's plan.
   */
  function remoteTarget(kind: RemoteKind, deadlines: FaultCase['deadlines'] = {}): OpenAITarget {
    const baseURL = kind === 'refused' ? refusedURL : kind === 'reset' ? `${resetting.url}/v1` : `${proxy.url}/v1`;
    return createOpenAITarget({
      baseURL,
      id: 'gpu',
      model: server.model,
      dispatcher: agent,
      ...deadlines,
    });
  }

  /** A fresh local target for the local-side faults (a disposed or broken one cannot be reused). */
  async function brokenLocal(kind: LocalKind): Promise<LlamaCppTarget> {
    let path = modelPath;
    if (kind === 'missing') path = join(dir, 'no-such-model.gguf');
    if (kind === 'corrupt') {
      path = join(dir, 'truncated.gguf');
      writeFileSync(path, readFileSync(modelPath).subarray(0, 4096));
    }
    const target = createLlamaCppTarget({ modelPath: path, id: 'device', threads: 1, gpu: false, contextSize: 1024 });
    disposables.push(target);
    return target;
  }

  it.each(matrix)('$name — $mode, fallback: $fallbackKind', async (testCase) => {
    const execution = {
      retries: 0,
      ...testCase.execution,
      ...(testCase.mode === 'generate (streamed)' ? { firstTokenTimeoutMs: streamingFirstTokenTimeoutMs } : {}),
    };
    // Whether the remote primary answers whole (one JSON body): generate() with nothing that needs the first token.
    const whole =
      testCase.mode === 'generate' &&
      testCase.side === 'remote' &&
      testCase.deadlines?.firstTokenTimeoutMs === undefined &&
      testCase.execution?.stallTimeoutMs === undefined;
    const fault = whole ? (testCase.json?.fault ?? testCase.fault) : testCase.fault;
    const code = whole ? (testCase.json?.code ?? testCase.code) : testCase.code;
    const midStream = whole ? false : testCase.midStream;
    const noContinuation = testCase.fallbackKind === 'cannot continue' ? { continuation: false } : {};
    let primary: ReturnType<typeof instrument<Target>>;
    let fallback: ReturnType<typeof instrument<Target>>;
    let primaryAnswer: string;
    let fallbackAnswer: string;
    let fallbackTarget: Target;
    let crashed: LlamaCppTarget | undefined;
    if (testCase.side === 'remote') {
      primary = instrument<Target>(remoteTarget(testCase.remote ?? 'proxied', testCase.deadlines));
      fallback = instrument<Target>(local, noContinuation);
      fallbackTarget = local;
      primaryAnswer = remoteAnswer;
      fallbackAnswer = localAnswer;
      if (fault) proxy.setFault(fault);
    } else {
      crashed = await brokenLocal(testCase.local!);
      primary = instrument<Target>(crashed);
      fallbackTarget = remoteTarget('proxied');
      await fallbackTarget.checkStatus?.();
      fallback = instrument<Target>(fallbackTarget, noContinuation);
      primaryAnswer = localAnswer;
      fallbackAnswer = remoteAnswer;
    }
    const [primaryName, fallbackName] = testCase.side === 'remote' ? ['gpu', 'device'] : ['device', 'gpu'];
    const targets: Record<string, Target> = { [primaryName]: primary.wrapped };
    if (testCase.withFallback) targets[fallbackName] = fallback.wrapped;
    router = createRouter({
      targets,
      policy: { mode: testCase.side === 'remote' ? 'prefer-remote' : 'prefer-local', execution },
    });
    if (testCase.local === 'crash-before-first-token') {
      router.on('attempt', (event) => {
        if (event.target === 'device' && event.phase === 'start') void crashed?.dispose();
      });
    }
    if (testCase.local === 'crash-mid-stream') {
      primary.onPart = (part) => {
        if (part.type === 'text-delta') void crashed?.dispose();
      };
    }

    let text: string | undefined;
    let error: unknown;
    let elapsedMs: number;
    let parts: RouterStreamPart[] = [];
    let failoverModes: string[] = [];
    if (testCase.mode !== 'stream') {
      const outcome = await settle(router.generate(request()));
      text = outcome.value?.text;
      error = outcome.error;
      elapsedMs = outcome.elapsedMs;
      if (outcome.value) expect(outcome.value.route.target).toBe(fallbackName);
      failoverModes = outcome.value?.route.failovers?.map((failover) => failover.mode) ?? [];
    } else {
      const outcome = await drain(router.stream(request()));
      parts = outcome.parts;
      error = outcome.error;
      elapsedMs = outcome.elapsedMs;
      if (!error) text = visibleText(parts);
    }
    // Never a hang: an answer or an error, within the deadline (plus a generous margin for a loaded machine).
    expect(elapsedMs).toBeLessThan(deadlineMs + hangMarginMs);
    // Default settings never restart a stream: what a naive consumer concatenates is what a careful one shows.
    expect(parts.some((part) => part.type === 'failover' && part.mode === 'restart')).toBe(false);
    // The remote target was asked for what the mode implies: one JSON body only for a whole answer (the fallback of
    // a local primary answers whole in plain `generate` too).
    const chatRequests = proxy.requests.filter((entry) => entry.path.endsWith('/chat/completions'));
    const askedForStream = chatRequests.map((entry) => JSON.parse(entry.body.toString()).stream === true);
    const remoteWhole = testCase.side === 'remote' ? whole : testCase.mode === 'generate';
    if (testCase.side === 'remote' && testCase.remote === undefined) expect(askedForStream[0]).toBe(!remoteWhole);
    if (testCase.side === 'local' && chatRequests.length > 0) expect(askedForStream).toEqual([!remoteWhole]);

    if (testCase.fallbackKind === 'cannot continue') {
      const shown = concatenatedText(parts);
      if (testCase.mode !== 'stream') {
        // Nothing was shown, so the fallback starts over, and the route says so (a whole answer that failed produced
        // nothing, so there is nothing to restart from).
        expect(error).toBeUndefined();
        expect(text).toBe(fallbackAnswer);
        // A crash can come before the first token reached the router; otherwise the restart is on the record.
        if (testCase.local === 'crash-mid-stream') expect(failoverModes.every((mode) => mode === 'restart')).toBe(true);
        else expect(failoverModes).toEqual(midStream ? ['restart'] : []);
        return;
      }
      if (StreamInterruptedError.isInstance(error)) {
        expect(error.partialText.length).toBeGreaterThan(0);
        expect(shown).toBe(error.partialText);
        expect(primaryAnswer.startsWith(shown), `${JSON.stringify(shown)} vs ${JSON.stringify(primaryAnswer)}`).toBe(
          true,
        );
        expect(fallback.calls).toHaveLength(0);
        expect(parts.some((part) => part.type === 'finish')).toBe(false);
      } else {
        // The failure came before any text reached the router (a crash can win that race): a plain fallback.
        expect(error).toBeUndefined();
        expect(text).toBe(fallbackAnswer);
        expect(parts.some((part) => part.type === 'failover')).toBe(false);
      }
      return;
    }

    if (testCase.withFallback) {
      expect(error).toBeUndefined();
      // What the fallback was asked to continue from (if anything) must be what the primary really showed.
      const continuedFrom = fallback.calls.at(-1)?.assistantPrefix;
      if (continuedFrom === undefined) {
        expect(text).toBe(fallbackAnswer);
      } else {
        expect(primaryAnswer.startsWith(continuedFrom)).toBe(true);
        const continuation = await fallbackTarget.generate({
          messages: request().messages,
          maxTokens,
          temperature: 0,
          assistantPrefix: continuedFrom,
        });
        expect(text).toBe(continuedFrom + continuation.text);
      }
      if (midStream && testCase.local !== 'crash-mid-stream') expect(continuedFrom).toBeTruthy();
      if (whole) expect(continuedFrom).toBeUndefined();
      if (testCase.mode === 'stream') {
        expect(parts[0]).toMatchObject({ type: 'route', phase: 'decision' });
        expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
        expect(parts.filter((part) => part.type === 'usage').length).toBeLessThanOrEqual(1);
        expect(parts.at(-1)).toMatchObject({ type: 'route', phase: 'summary', route: { target: fallbackName } });
        const failovers = parts.filter((part) => part.type === 'failover');
        // A failover part appears exactly when text had been shown, and it continues rather than restarts.
        expect(failovers.map((part) => part.mode)).toEqual(continuedFrom ? ['continue'] : []);
        const summary = parts.at(-1);
        if (summary?.type === 'route' && summary.phase === 'summary' && testCase.local !== 'missing') {
          expect(summary.route.attempts[0]).toMatchObject({ target: primaryName, error: { code } });
        }
      }
      return;
    }

    // Without a fallback: exactly one typed error, never a truncated "success".
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(text).toBeUndefined();
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    expect(parts.some((part) => part.type === 'route' && part.phase === 'summary')).toBe(false);
    if (testCase.local === 'missing') {
      expect(NoEligibleTargetError.isInstance(error)).toBe(true);
      expect((error as NoEligibleTargetError).excluded).toEqual([
        expect.objectContaining({ target: 'device', reason: 'unavailable' }),
      ]);
      return;
    }
    // After text was produced the default (midStream 'continue') ends with StreamInterruptedError: nothing repeated.
    if (StreamInterruptedError.isInstance(error)) expect(error.partialText.length).toBeGreaterThan(0);
    else expect(AllTargetsFailedError.isInstance(error)).toBe(true);
    const attempts = (error as AllTargetsFailedError | StreamInterruptedError).attempts;
    expect(attempts.map((attempt) => attempt.error.code)).toEqual([code]);
    if (fault?.type === 'status') {
      expect(attempts[0]?.error).toMatchObject({ status: fault.status });
      if (fault.retryAfter !== undefined) expect(attempts[0]?.error).toMatchObject({ retryAfterMs: 1_000 });
    }
  });

  // A caller abort ends the request, never fails over, and leaves no connection open: while the whole answer is
  // awaited (no response yet, the body under way and never ending, a slow first byte).
  it.each([
    { type: 'hang' as const },
    { type: 'hang-after-events' as const, events: 1 },
    { type: 'delay-first-byte' as const, ms: 30_000 },
  ])('caller abort during a whole-answer call ($type) — generate, fallback: can continue', async (abortFault) => {
    const primary = instrument<Target>(remoteTarget('proxied'));
    const fallback = instrument<Target>(local);
    router = createRouter({
      targets: { gpu: primary.wrapped, device: fallback.wrapped },
      policy: { mode: 'prefer-remote', execution: { retries: 0 } },
    });
    proxy.setFault(abortFault);
    const controller = new AbortController();
    const pending = settle(router.generate({ ...request(), signal: controller.signal }));
    expect(await eventually(() => proxy.requests.some((entry) => entry.path.endsWith('/chat/completions')))).toBe(true);
    controller.abort();
    const outcome = await pending;
    expect(outcome.elapsedMs).toBeLessThan(deadlineMs);
    expect(outcome.error).toMatchObject({ code: 'abort' });
    expect(JSON.parse(proxy.requests.at(-1)!.body.toString()).stream).not.toBe(true);
    expect(fallback.calls).toHaveLength(0);
    expect(await eventually(() => proxy.openResponses() === 0)).toBe(true);
  });
});
