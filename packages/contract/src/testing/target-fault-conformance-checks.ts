import { expect } from 'vitest';
import { AbortError } from '../errors/abort-error.js';
import { ApiCallError } from '../errors/api-call-error.js';
import { ConnectionError } from '../errors/connection-error.js';
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { TargetCall } from '../request.js';
import type { StreamPart } from '../stream-part.js';
import type { Target } from '../target.js';
import type { TargetFault, TargetFaultDriver } from './target-fault-driver.js';

/** What one fault check needs: the driver, a way to make targets, and the suite's settings. */
export interface FaultConformanceContext {
  faults: TargetFaultDriver;
  createTarget(baseURL: string): Promise<Target>;
  /** A valid call on the suite's prompt, with `extra` laid over it. */
  call(extra?: Partial<TargetCall>): TargetCall;
  midStreamEvents: number;
  oversizedEventBytes: number;
}

/** The ids of the fault checks, for `skip` in `runTargetFaultConformance` (a check skipped with its reason). */
export const faultCheckIds = [
  'refused-connection',
  'reset-before-first-byte',
  'close-mid-stream',
  'truncated-frame',
  'oversized-frame',
  'status-503',
  'status-429',
  'hang-before-first-token',
  'hang-mid-stream',
  'dispose-with-hung-probe',
  'abort-closes-connection',
] as const;
export type FaultCheckId = (typeof faultCheckIds)[number];

/** One fault behaviour; `run` throws (a vitest assertion) when the target mishandles the fault. */
export interface FaultConformanceCheck {
  /** Stable, for `skip` in the runner's options. */
  id: FaultCheckId;
  name: string;
  run(context: FaultConformanceContext): Promise<void>;
}

interface StreamOutcome {
  parts: StreamPart[];
  error: unknown;
}

async function streamOutcome(stream: AsyncIterable<StreamPart>, onPart?: (part: StreamPart) => void) {
  const outcome: StreamOutcome = { parts: [], error: undefined };
  try {
    for await (const part of stream) {
      outcome.parts.push(part);
      onPart?.(part);
    }
  } catch (error) {
    outcome.error = error;
  }
  return outcome;
}

async function generateError(target: Target, call: TargetCall): Promise<unknown> {
  return target.generate(call).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Runs `body` on a fresh target with `fault` set, then clears the fault and disposes the target. */
async function withFault(
  context: FaultConformanceContext,
  fault: TargetFault | null,
  body: (target: Target) => Promise<void>,
  baseURL = context.faults.url,
): Promise<void> {
  const target = await context.createTarget(baseURL);
  context.faults.setFault(fault);
  try {
    await body(target);
  } finally {
    context.faults.setFault(null);
    await target.dispose?.();
  }
}

/** Asserts `error` is a typed Switchyard error of the given class (by its `isInstance` guard) and retryability. */
function expectTyped(
  error: unknown,
  guard: { isInstance(value: unknown): boolean; name: string },
  retryable?: boolean,
): void {
  const seen = SwitchyardError.isInstance(error) ? `${error.name}: ${error.message}` : String(error);
  expect(guard.isInstance(error), `expected a ${guard.name}, got ${seen}`).toBe(true);
  if (retryable !== undefined) expect((error as SwitchyardError).isRetryable, seen).toBe(retryable);
}

function expectNoFinish(outcome: StreamOutcome): void {
  expect(outcome.parts.filter((part) => part.type === 'finish')).toEqual([]);
}

/** Polls until `check` holds, with a generous hang guard (not a timing assertion). */
async function eventually(check: () => boolean): Promise<boolean> {
  for (let tries = 0; tries < 500 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
}

/**
 * The checks `runTargetFaultConformance` registers, one test each. Plain functions (not only `it` blocks) so the
 * suite's own tests can run them against deliberately broken targets and prove each one can fail.
 */
export const targetFaultConformanceChecks: readonly FaultConformanceCheck[] = [
  {
    id: 'refused-connection',
    name: 'fails a refused connection with a retryable ConnectionError, streamed and not, and probes unavailable',
    async run(context) {
      const closed = await context.faults.closedURL();
      await withFault(
        context,
        null,
        async (target) => {
          expectTyped(await generateError(target, context.call()), ConnectionError, true);
          const outcome = await streamOutcome(target.stream(context.call()));
          expectTyped(outcome.error, ConnectionError, true);
          expectNoFinish(outcome);
          if (target.checkStatus) expect((await target.checkStatus()).state).toBe('unavailable');
        },
        closed,
      );
    },
  },
  {
    id: 'reset-before-first-byte',
    name: 'fails a connection reset before the first byte with a retryable ConnectionError',
    async run(context) {
      await withFault(context, { type: 'reset-before-first-byte' }, async (target) => {
        expectTyped(await generateError(target, context.call()), ConnectionError, true);
        const outcome = await streamOutcome(target.stream(context.call()));
        expectTyped(outcome.error, ConnectionError, true);
        expectNoFinish(outcome);
      });
    },
  },
  {
    id: 'close-mid-stream',
    name: 'fails a stream whose connection closes mid-way with a retryable ConnectionError and no finish',
    async run(context) {
      await withFault(context, { type: 'reset-after-events', events: context.midStreamEvents }, async (target) => {
        const outcome = await streamOutcome(target.stream(context.call()));
        expectTyped(outcome.error, ConnectionError, true);
        expectNoFinish(outcome);
      });
    },
  },
  {
    id: 'truncated-frame',
    name: 'fails a stream cut inside a frame with a retryable InvalidResponseError and no finish',
    async run(context) {
      await withFault(context, { type: 'truncate-after-events', events: context.midStreamEvents }, async (target) => {
        const outcome = await streamOutcome(target.stream(context.call()));
        expectTyped(outcome.error, InvalidResponseError, true);
        expectNoFinish(outcome);
      });
    },
  },
  {
    id: 'oversized-frame',
    name: 'fails an oversized frame with an InvalidResponseError at its cap, not after buffering it all',
    async run(context) {
      // The proxy sends the frame and then holds the connection open: a reader without a cap buffers every byte
      // and then waits for a deadline, so it fails this check with a TimeoutError instead.
      const fault: TargetFault = {
        type: 'oversized-event',
        events: context.midStreamEvents,
        bytes: context.oversizedEventBytes,
      };
      await withFault(context, fault, async (target) => {
        const outcome = await streamOutcome(target.stream(context.call()));
        expectTyped(outcome.error, InvalidResponseError);
        expectNoFinish(outcome);
      });
    },
  },
  {
    id: 'status-503',
    name: 'fails a 503 with Retry-After with a retryable ApiCallError carrying status and retryAfterMs',
    async run(context) {
      await withFault(context, { type: 'status', status: 503, retryAfter: 2 }, async (target) => {
        const outcome = await streamOutcome(target.stream(context.call()));
        for (const error of [await generateError(target, context.call()), outcome.error]) {
          expectTyped(error, ApiCallError, true);
          expect((error as ApiCallError).status).toBe(503);
          expect((error as ApiCallError).retryAfterMs).toBe(2000);
        }
      });
    },
  },
  {
    id: 'status-429',
    name: 'fails a 429 with Retry-After with a retryable ApiCallError carrying retryAfterMs',
    async run(context) {
      await withFault(context, { type: 'status', status: 429, retryAfter: 3 }, async (target) => {
        const outcome = await streamOutcome(target.stream(context.call()));
        for (const error of [await generateError(target, context.call()), outcome.error]) {
          expectTyped(error, ApiCallError, true);
          expect((error as ApiCallError).status).toBe(429);
          expect((error as ApiCallError).retryAfterMs).toBe(3000);
        }
      });
    },
  },
  {
    id: 'hang-before-first-token',
    name: 'ends a call that hangs before the first token with a TimeoutError from its own deadline',
    async run(context) {
      await withFault(context, { type: 'hang' }, async (target) => {
        expectTyped(await generateError(target, context.call()), TimeoutError, true);
        const outcome = await streamOutcome(target.stream(context.call()));
        expectTyped(outcome.error, TimeoutError, true);
        expectNoFinish(outcome);
      });
    },
  },
  {
    id: 'hang-mid-stream',
    name: 'ends a stream that hangs mid-way with a TimeoutError from its own deadline',
    async run(context) {
      await withFault(context, { type: 'hang-after-events', events: context.midStreamEvents }, async (target) => {
        const outcome = await streamOutcome(target.stream(context.call()));
        expectTyped(outcome.error, TimeoutError, true);
        expectNoFinish(outcome);
      });
    },
  },
  {
    id: 'dispose-with-hung-probe',
    name: 'settles dispose() while a status probe never answers, leaving no request open',
    async run(context) {
      const target = await context.createTarget(context.faults.url);
      context.faults.setFault({ type: 'hang' });
      try {
        // Settled either way: dispose() may end the probe with an AbortError.
        const probe = Promise.allSettled([target.checkStatus?.()]);
        // Let the probe reach the proxy before disposing.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await target.dispose?.();
        // The probe itself settles too, and no connection is left waiting on the hung server.
        await probe;
        expect(await eventually(() => context.faults.openResponses() === 0), 'a request outlived dispose()').toBe(true);
      } finally {
        context.faults.setFault(null);
      }
    },
  },
  {
    id: 'abort-closes-connection',
    name: 'closes the stream’s connection when the caller aborts mid-stream, with an AbortError',
    async run(context) {
      // The upstream stalls after a few frames, so the connection stays open until the client closes it.
      await withFault(context, { type: 'hang-after-events', events: context.midStreamEvents + 1 }, async (target) => {
        const controller = new AbortController();
        let openWhileStreaming = 0;
        const outcome = await streamOutcome(target.stream(context.call({ signal: controller.signal })), (part) => {
          if (part.type !== 'text-delta' || controller.signal.aborted) return;
          openWhileStreaming = context.faults.openResponses();
          controller.abort();
        });
        expect(openWhileStreaming, 'no text arrived before the stall').toBeGreaterThan(0);
        expectTyped(outcome.error, AbortError);
        // The stalled response ends only when the client closes its connection (a status probe the target sends
        // meanwhile may still be open, hence "fewer", not "none").
        const closed = await eventually(() => context.faults.openResponses() < openWhileStreaming);
        expect(closed, 'the aborted stream’s connection stayed open').toBe(true);
      });
    },
  },
];
