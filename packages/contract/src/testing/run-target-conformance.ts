import { afterAll, beforeAll, describe, it } from 'vitest';
import type { TargetCall } from '../request.js';
import type { Target } from '../target.js';
import { targetConformanceChecks } from './target-conformance-checks.js';

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

/**
 * The shared behaviour every `Target` must show. Call it from an adapter's test file; it registers a vitest
 * `describe` block.
 *
 * @example
 * ```ts
 * import { runTargetConformance } from '@switchyard/contract/testing';
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

    for (const check of targetConformanceChecks) {
      it(check.name, (context) =>
        check.run({
          target,
          call,
          deterministic: options.deterministic !== false,
          abortWithinMs,
          skip: (note) => context.skip(note),
        }),
      );
    }
  });
}
