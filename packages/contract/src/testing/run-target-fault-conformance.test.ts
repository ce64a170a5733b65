import { describe, expect, it } from 'vitest';
import { AbortError } from '../errors/abort-error.js';
import { ApiCallError } from '../errors/api-call-error.js';
import { ConnectionError } from '../errors/connection-error.js';
import { InvalidResponseError } from '../errors/invalid-response-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { TargetCall } from '../request.js';
import type { GenerateResult } from '../result.js';
import type { StreamPart } from '../stream-part.js';
import type { Target, TargetStatus } from '../target.js';
import { runTargetFaultConformance } from './run-target-fault-conformance.js';
import { targetFaultConformanceChecks } from './target-fault-conformance-checks.js';
import type { TargetFault, TargetFaultDriver } from './target-fault-driver.js';

/** Ways an adapter can mishandle a fault; each should be caught by the named checks and by no other. */
interface Flaws {
  refusedAsTimeout?: boolean;
  resetAsInvalidResponse?: boolean;
  midStreamResetFinishes?: boolean;
  truncatedFrameFinishes?: boolean;
  uncappedFrames?: boolean;
  dropsRetryAfter?: boolean;
  rateLimitNotRetryable?: boolean;
  noDeadline?: boolean;
  disposeWaitsForProbe?: boolean;
  abortKeepsSocket?: boolean;
}

/** An in-memory stand-in for the proxy: records the fault and counts the reference target's open "responses". */
function createMemoryDriver(): TargetFaultDriver & { fault: TargetFault | null; open: number } {
  return {
    url: 'memory://upstream',
    fault: null,
    open: 0,
    setFault(fault) {
      this.fault = fault;
    },
    openResponses() {
      return this.open;
    },
    closedURL: async () => 'memory://closed',
  };
}

const words = ['The', ' yard', ' switches', ' trains', ' all', ' night', '.'];
const never = new Promise<never>(() => {});

/**
 * An in-memory target that reacts to the driver's fault the way an HTTP adapter should, unless told to break.
 * "Hangs" end on a simulated deadline (a rejected promise), never on a timer, unless `noDeadline` is set; then the
 * suite's own test would time out, so the self-test below races it against a short timer instead.
 */
function createReferenceTarget(driver: ReturnType<typeof createMemoryDriver>, baseURL: string, flaws: Flaws): Target {
  const id = 'reference:faults';
  const url = `${baseURL}/generate`;
  let disposed: () => void = () => {};
  const disposal = new Promise<void>((resolve) => {
    disposed = resolve;
  });

  function failure(fault: TargetFault | null): Error | undefined {
    if (baseURL === 'memory://closed') {
      return flaws.refusedAsTimeout
        ? new TimeoutError({ timeoutMs: 1, target: id })
        : new ConnectionError({ url, systemCode: 'ECONNREFUSED', target: id });
    }
    if (fault?.type === 'reset-before-first-byte') {
      return flaws.resetAsInvalidResponse
        ? new InvalidResponseError({ message: 'empty reply', target: id })
        : new ConnectionError({ url, systemCode: 'ECONNRESET', target: id });
    }
    if (fault?.type === 'status') {
      const retryAfterMs = flaws.dropsRetryAfter ? undefined : Number(fault.retryAfter) * 1000;
      const isRetryable = !(flaws.rateLimitNotRetryable && fault.status === 429);
      return new ApiCallError({ url, status: fault.status, retryAfterMs, target: id, isRetryable });
    }
    if (fault?.type === 'hang' && !flaws.noDeadline) return new TimeoutError({ timeoutMs: 1, target: id });
    return undefined;
  }

  async function* produce(call: TargetCall): AsyncGenerator<StreamPart> {
    const fault = driver.fault;
    const error = failure(fault);
    if (error) throw error;
    if (fault?.type === 'hang') await never;
    driver.open += 1;
    let open = true;
    const close = () => {
      if (open) driver.open -= 1;
      open = false;
    };
    try {
      for (let index = 0; index < words.length; index++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (call.signal?.aborted) {
          if (flaws.abortKeepsSocket) open = false;
          throw new AbortError({ target: id });
        }
        if (fault && 'events' in fault && index === fault.events) {
          if (fault.type === 'reset-after-events') {
            if (flaws.midStreamResetFinishes) break;
            throw new ConnectionError({ url, systemCode: 'ECONNRESET', target: id });
          }
          if (fault.type === 'truncate-after-events') {
            if (flaws.truncatedFrameFinishes) break;
            throw new InvalidResponseError({ message: 'stream ended inside an event', target: id });
          }
          if (fault.type === 'oversized-event') {
            if (flaws.uncappedFrames) throw new TimeoutError({ timeoutMs: 1, target: id });
            throw new InvalidResponseError({ message: 'event over the cap', target: id, isRetryable: false });
          }
          if (fault.type === 'hang-after-events') {
            if (flaws.noDeadline) {
              await new Promise<void>((resolve) => call.signal?.addEventListener('abort', () => resolve()));
              continue;
            }
            throw new TimeoutError({ timeoutMs: 1, target: id });
          }
        }
        yield { type: 'text-delta', text: words[index] ?? '' };
      }
      yield { type: 'finish', finishReason: 'stop' };
    } finally {
      close();
    }
  }

  return {
    specificationVersion: 'v1',
    id,
    locality: 'remote',
    capabilities: { contextWindow: 512, maxOutputTokens: 64, tools: false, jsonSchema: false, images: false },
    status: () => ({ state: 'ready' }),
    async checkStatus(): Promise<TargetStatus> {
      if (baseURL === 'memory://closed')
        return { state: 'unavailable', code: 'unreachable', reason: 'connection refused' };
      if (driver.fault?.type === 'hang') await (flaws.disposeWaitsForProbe ? never : disposal);
      return { state: 'ready' };
    },
    async generate(call) {
      const result: GenerateResult = {
        text: '',
        toolCalls: [],
        finishReason: 'error',
        usage: { inputTokens: 1, outputTokens: 0 },
      };
      for await (const part of produce(call)) {
        if (part.type === 'text-delta') result.text += part.text;
        else if (part.type === 'finish') result.finishReason = part.finishReason;
      }
      return result;
    },
    stream: (call) => produce(call),
    async dispose() {
      if (flaws.disposeWaitsForProbe && driver.fault?.type === 'hang') await never;
      disposed();
    },
  };
}

/** The names of the checks a target fails; a check still running after 1 s counts as failed (it would hang). */
async function failedChecks(flaws: Flaws): Promise<string[]> {
  const driver = createMemoryDriver();
  const call = (extra: Partial<TargetCall> = {}): TargetCall => ({
    messages: [{ role: 'user', content: 'Tell me about the yard.' }],
    maxTokens: 24,
    ...extra,
  });
  const failed: string[] = [];
  for (const check of targetFaultConformanceChecks) {
    const context = {
      faults: driver,
      createTarget: async (baseURL: string) => createReferenceTarget(driver, baseURL, flaws),
      call,
      midStreamEvents: 2,
      oversizedEventBytes: 1024,
    };
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), 1000);
    });
    const outcome = await Promise.race([
      check.run(context).then(
        () => 'passed',
        () => 'failed',
      ),
      hung,
    ]);
    clearTimeout(timer);
    driver.setFault(null);
    // A hung check leaves its simulated connection open; a real proxy's test would end it, so start clean.
    if (outcome === 'hung') driver.open = 0;
    if (outcome !== 'passed') failed.push(check.name);
  }
  return failed;
}

const memoryDriver = createMemoryDriver();
runTargetFaultConformance({
  name: 'reference in-memory target',
  faults: () => memoryDriver,
  createTarget: (baseURL) => createReferenceTarget(memoryDriver, baseURL, {}),
});

describe('runTargetFaultConformance', () => {
  it('passes a target that handles every fault', async () => {
    expect(await failedChecks({})).toEqual([]);
  });

  it.each<[string, Flaws, string[]]>([
    ['reports a refused connection as a timeout', { refusedAsTimeout: true }, ['fails a refused connection']],
    ['reports a reset as an invalid response', { resetAsInvalidResponse: true }, ['fails a connection reset before']],
    ['finishes a stream reset mid-way', { midStreamResetFinishes: true }, ['fails a stream whose connection closes']],
    ['finishes a stream cut inside a frame', { truncatedFrameFinishes: true }, ['fails a stream cut inside a frame']],
    ['buffers frames without a cap', { uncappedFrames: true }, ['fails an oversized frame']],
    ['drops Retry-After', { dropsRetryAfter: true }, ['fails a 503 with Retry-After', 'fails a 429 with Retry-After']],
    ['does not retry a 429', { rateLimitNotRetryable: true }, ['fails a 429 with Retry-After']],
    [
      'has no deadline',
      { noDeadline: true },
      ['ends a call that hangs before the first token', 'ends a stream that hangs mid-way'],
    ],
    ['waits for a hung probe in dispose()', { disposeWaitsForProbe: true }, ['settles dispose()']],
    ['keeps the socket of an aborted stream', { abortKeepsSocket: true }, ['closes the stream’s connection']],
  ])('fails a target that %s, in the matching checks only', async (_flaw, flaws, expected) => {
    const failed = await failedChecks(flaws);
    expect(failed).toHaveLength(expected.length);
    expected.forEach((prefix, index) => {
      expect(failed[index]?.startsWith(prefix), `${failed[index]} should start with ${prefix}`).toBe(true);
    });
  });
});
