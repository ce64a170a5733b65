import { describe, it } from 'vitest';
import type { TargetCall } from '../request.js';
import type { Target } from '../target.js';
import { type FaultCheckId, targetFaultConformanceChecks } from './target-fault-conformance-checks.js';
import type { TargetFaultDriver } from './target-fault-driver.js';

/** Options for {@link runTargetFaultConformance}. */
export interface TargetFaultConformanceOptions {
  /** Shown in the test names, e.g. `adapter-openai through the fault proxy`. */
  name: string;
  /**
   * Creates a fresh target talking to `baseURL` (an origin: append the API's path yourself). Called once per check,
   * and disposed after it. Give it short deadlines (a total `timeoutMs` of a second or two): the hang checks end
   * on the adapter's own deadlines, never on the suite's clock. Give it a small stream frame cap (e.g.
   * `maxEventBytes: 65_536`) so the oversized-frame check stays cheap.
   */
  createTarget: (baseURL: string) => Target | Promise<Target>;
  /**
   * Returns the fault driver (usually a `FaultProxy` from `@switchyard/adapter-utils/testing`), read when each check
   * runs, so it can be started in a `beforeAll` of the calling file. Give the suite a proxy of its own: the abort and
   * dispose checks count the proxy's open responses and expect none from other clients.
   */
  faults: () => TargetFaultDriver;
  /** The prompt used by every check. */
  prompt?: string;
  /**
   * How many frames the mid-stream faults let through before acting (default 2). The upstream must answer the
   * suite's call (`maxTokens` 64) with more frames than this.
   */
  midStreamEvents?: number;
  /** Size of the frame the oversized-frame check sends, in bytes (default 16 MiB); set it above the target's cap. */
  oversizedEventBytes?: number;
  /**
   * Checks this target cannot pass yet, each with the reason: they are registered as skipped tests whose name says
   * why, so the gap stays visible in every run instead of disappearing.
   */
  skip?: Partial<Record<FaultCheckId, string>>;
}

/**
 * The shared fault behaviour of every HTTP `Target`: refused connection, reset before the first byte, close
 * mid-stream, truncated frame, oversized frame, 5xx and 429 with `Retry-After`, hangs before the first token and
 * mid-stream, a status probe that never answers during `dispose()`, and an abort mid-stream that must close the
 * socket. Each check asserts a typed error (class, retryability, `retryAfterMs`), never a duration: a hang ends on
 * the adapter's deadlines, and the test runner's timeout is the only guard.
 *
 * Why the runner lives in the contract and takes a driver: adapters already import `@switchyard/contract/testing`
 * for {@link runTargetConformance}, and the checks are the contract's statement of how failures surface. The
 * contract depends on no other Switchyard package, so the caller passes what drives the faults: any {@link TargetFaultDriver},
 * such as the `FaultProxy` that `startFaultProxy()` from `@switchyard/adapter-utils/testing` returns.
 *
 * @example
 * ```ts
 * import { runTargetFaultConformance } from '@switchyard/contract/testing';
 * import { startFaultProxy, type FaultProxy } from '@switchyard/adapter-utils/testing';
 *
 * let proxy: FaultProxy;
 * beforeAll(async () => {
 *   proxy = await startFaultProxy({ upstream: server.url });
 * });
 * afterAll(() => proxy.close());
 *
 * runTargetFaultConformance({
 *   name: 'my adapter through the fault proxy',
 *   faults: () => proxy,
 *   createTarget: (baseURL) => createMyTarget({ baseURL, timeoutMs: 1500, maxEventBytes: 65_536 }),
 * });
 * ```
 */
export function runTargetFaultConformance(options: TargetFaultConformanceOptions): void {
  const prompt = options.prompt ?? 'Tell me a short story about a train yard.';
  const call = (extra: Partial<TargetCall> = {}): TargetCall => ({
    messages: [{ role: 'user', content: prompt }],
    maxTokens: 64,
    temperature: 0,
    seed: 1,
    ...extra,
  });

  describe(`Target fault conformance: ${options.name}`, () => {
    for (const check of targetFaultConformanceChecks) {
      const skipped = options.skip?.[check.id];
      if (skipped !== undefined) {
        it.skip(`${check.name} (skipped: ${skipped})`, () => {});
        continue;
      }
      it(check.name, () =>
        check.run({
          faults: options.faults(),
          createTarget: async (baseURL) => options.createTarget(baseURL),
          call,
          midStreamEvents: options.midStreamEvents ?? 2,
          oversizedEventBytes: options.oversizedEventBytes ?? 16 * 1024 * 1024,
        }),
      );
    }
  });
}
