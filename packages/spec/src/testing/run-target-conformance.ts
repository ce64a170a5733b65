import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from '../errors/abort-error.js';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { TargetCall } from '../request.js';
import { finishReasons } from '../result.js';
import type { StreamPart } from '../stream-part.js';
import type { Target } from '../target.js';
import { targetStatusSchema } from '../target-status-schema.js';

/** Options for {@link runTargetConformance}. */
export interface TargetConformanceOptions {
  /** Shown in the test names, e.g. `adapter-openai against llama-server`. */
  name: string;
  /** Creates the target under test; called once for the whole suite. */
  createTarget: () => Target | Promise<Target>;
  /** Frees what `createTarget` made; defaults to `target.dispose()`. */
  disposeTarget?: (target: Target) => void | Promise<void>;
  /** The prompt used by every check. */
  prompt?: string;
  /**
   * Whether greedy decoding (temperature 0, fixed seed) gives the same text twice, so the suite can compare
   * the streamed text with the generated text. True for llama.cpp and protocol-faithful stand-ins.
   */
  deterministic?: boolean;
  /** A hang guard: an aborted stream that takes longer than this (ms) to end fails the suite. */
  abortWithinMs?: number;
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/**
 * The shared behaviour every `Target` must show. Call it from an adapter's test file; it registers a vitest
 * `describe` block.
 *
 * @example
 * ```ts
 * import { runTargetConformance } from '@switchyard/spec/testing';
 * runTargetConformance({ name: 'my adapter', createTarget: () => createMyTarget({ ... }) });
 * ```
 */
export function runTargetConformance(options: TargetConformanceOptions): void {
  const prompt = options.prompt ?? 'Tell me a short story about a train yard.';
  const abortWithinMs = options.abortWithinMs ?? 10_000;
  const call = (extra: Partial<TargetCall> = {}): TargetCall => ({
    messages: [{ role: 'user', content: prompt }],
    maxTokens: 24,
    temperature: 0,
    seed: 1,
    ...extra,
  });

  describe(`Target conformance: ${options.name}`, () => {
    let target: Target;

    beforeAll(async () => {
      target = await options.createTarget();
    });
    afterAll(async () => {
      if (!target) return;
      if (options.disposeTarget) await options.disposeTarget(target);
      else await target.dispose?.();
    });

    it('declares specification v1, an id, a locality and capabilities', () => {
      expect(target.specificationVersion).toBe('v1');
      expect(target.id).toMatch(/\S/);
      expect(['local', 'remote']).toContain(target.locality);
      expect(target.capabilities.contextWindow).toBeGreaterThan(0);
      expect(target.capabilities.maxOutputTokens).toBeGreaterThan(0);
      expect(typeof target.capabilities.tools).toBe('boolean');
      expect(typeof target.capabilities.jsonSchema).toBe('boolean');
      expect(typeof target.capabilities.images).toBe('boolean');
    });

    it('reports status() in the documented shape', async () => {
      expect(targetStatusSchema.safeParse(target.status()).success).toBe(true);
      if (target.checkStatus) {
        const checked = await target.checkStatus();
        expect(targetStatusSchema.safeParse(checked).success).toBe(true);
        expect(checked.state).toBe('ready');
      }
    });

    it('generates text with a finish reason and usage', async () => {
      const result = await target.generate(call());
      expect(typeof result.text).toBe('string');
      expect(result.text.length).toBeGreaterThan(0);
      expect(finishReasons).toContain(result.finishReason);
      expect(result.toolCalls).toEqual([]);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
    });

    it('respects maxTokens', async () => {
      const result = await target.generate(call({ maxTokens: 3 }));
      expect(result.usage.outputTokens).toBeLessThanOrEqual(3);
      expect(['length', 'stop']).toContain(result.finishReason);
    });

    it('streams deltas that concatenate to the full text and end with exactly one finish', async () => {
      const parts = await collect(target.stream(call()));
      const finishes = parts.filter((part) => part.type === 'finish');
      expect(finishes).toHaveLength(1);
      expect(parts.at(-1)?.type).toBe('finish');
      expect(parts.filter((part) => part.type === 'usage').length).toBeLessThanOrEqual(1);
      const text = parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
      expect(text.length).toBeGreaterThan(0);
      if (options.deterministic !== false) {
        const generated = await target.generate(call());
        expect(text).toBe(generated.text);
      }
    });

    it('ends an aborted stream promptly with an AbortError and stays usable', async () => {
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
      expect(elapsed).toBeLessThan(abortWithinMs);
      const again = await target.generate(call({ maxTokens: 4 }));
      expect(again.text.length).toBeGreaterThan(0);
    });

    it('rejects a call whose signal is already aborted with an AbortError', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(target.generate(call({ signal: controller.signal }))).rejects.toSatisfy(AbortError.isInstance);
    });

    it('rejects invalid calls with an InvalidRequestError naming the field', async () => {
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
    });
  });
}
