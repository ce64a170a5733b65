import { expect } from 'vitest';
import { AbortError } from '../errors/abort-error.js';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { TargetCall } from '../request.js';
import { finishReasons } from '../result.js';
import type { StreamPart } from '../stream-part.js';
import type { Target } from '../target.js';
import { targetStatusSchema } from '../target-status-schema.js';

/** What one conformance check needs: the target under test and the suite's settings. */
export interface ConformanceContext {
  target: Target;
  /** A valid call on the suite's prompt, greedy and bounded, with `extra` laid over it. */
  call(extra?: Partial<TargetCall>): TargetCall;
  deterministic: boolean;
  abortWithinMs: number;
}

/** One behaviour of the `Target` contract; `run` throws (a vitest assertion) when the target breaks it. */
export interface ConformanceCheck {
  name: string;
  run(context: ConformanceContext): Promise<void>;
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/**
 * The checks `runTargetConformance` registers, one test each. Kept as plain functions (not only as `it` blocks) so
 * the suite's own tests can run them against deliberately broken targets and prove each one can fail.
 */
export const targetConformanceChecks: readonly ConformanceCheck[] = [
  {
    name: 'declares specification v1, an id, a locality and capabilities',
    async run({ target }) {
      expect(target.specificationVersion).toBe('v1');
      expect(target.id).toMatch(/\S/);
      expect(['local', 'remote']).toContain(target.locality);
      expect(target.capabilities.contextWindow).toBeGreaterThan(0);
      expect(target.capabilities.maxOutputTokens).toBeGreaterThan(0);
      expect(typeof target.capabilities.tools).toBe('boolean');
      expect(typeof target.capabilities.jsonSchema).toBe('boolean');
      expect(typeof target.capabilities.images).toBe('boolean');
    },
  },
  {
    name: 'reports status() in the documented shape',
    async run({ target }) {
      expect(targetStatusSchema.safeParse(target.status()).success).toBe(true);
      if (target.checkStatus) {
        const checked = await target.checkStatus();
        expect(targetStatusSchema.safeParse(checked).success).toBe(true);
        expect(checked.state).toBe('ready');
      }
    },
  },
  {
    name: 'generates text with a finish reason and usage',
    async run({ target, call }) {
      const result = await target.generate(call());
      expect(typeof result.text).toBe('string');
      expect(result.text.length).toBeGreaterThan(0);
      expect(finishReasons).toContain(result.finishReason);
      expect(result.toolCalls).toEqual([]);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
    },
  },
  {
    name: 'respects maxTokens',
    async run({ target, call }) {
      const result = await target.generate(call({ maxTokens: 3 }));
      expect(result.usage.outputTokens).toBeLessThanOrEqual(3);
      expect(['length', 'stop']).toContain(result.finishReason);
    },
  },
  {
    name: 'streams deltas that concatenate to the full text and end with exactly one finish',
    async run({ target, call, deterministic }) {
      const parts = await collect(target.stream(call()));
      const finishes = parts.filter((part) => part.type === 'finish');
      expect(finishes).toHaveLength(1);
      expect(parts.at(-1)?.type).toBe('finish');
      expect(parts.filter((part) => part.type === 'usage').length).toBeLessThanOrEqual(1);
      const text = parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
      expect(text.length).toBeGreaterThan(0);
      if (deterministic) {
        const generated = await target.generate(call());
        expect(text).toBe(generated.text);
      }
    },
  },
  {
    name: 'ends an aborted stream promptly with an AbortError and stays usable',
    async run({ target, call, abortWithinMs }) {
      const controller = new AbortController();
      const started = Date.now();
      let caught: unknown;
      let deltasAfterAbort = 0;
      try {
        for await (const part of target.stream(call({ maxTokens: 200, signal: controller.signal }))) {
          if (part.type !== 'text-delta') continue;
          if (controller.signal.aborted) deltasAfterAbort += 1;
          else controller.abort();
        }
      } catch (error) {
        caught = error;
      }
      const elapsed = Date.now() - started;
      expect(AbortError.isInstance(caught)).toBe(true);
      // Promptly: at most a couple of tokens already in flight, and no waiting for the 200-token answer.
      expect(deltasAfterAbort).toBeLessThanOrEqual(2);
      // A hang guard, not a speed test: the default is 10 s.
      expect(elapsed).toBeLessThan(abortWithinMs);
      const again = await target.generate(call({ maxTokens: 4 }));
      expect(again.text.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'rejects a call whose signal is already aborted with an AbortError',
    async run({ target, call }) {
      const controller = new AbortController();
      controller.abort();
      await expect(target.generate(call({ signal: controller.signal }))).rejects.toSatisfy(AbortError.isInstance);
    },
  },
  {
    name: 'rejects invalid calls with an InvalidRequestError naming the field',
    async run({ target }) {
      const bad = { messages: [{ role: 'robot', content: 'hi' }], maxTokens: 4 } as unknown as TargetCall;
      const error = await target.generate(bad).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(InvalidRequestError.isInstance(error)).toBe(true);
      expect(SwitchyardError.isInstance(error) && error.message).toContain('messages[0].role');
      const emptyError = await collect(target.stream({ messages: [] } as unknown as TargetCall)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(InvalidRequestError.isInstance(emptyError)).toBe(true);
    },
  },
];
