/**
 * `@switchyard/testkit/page`: the browser half of a page-hosted target. A test page calls `hostTarget(name, target)`;
 * the Node half (`createPageTargetProxy` in `@switchyard/testkit`) drives it through `page.evaluate`, so the shared
 * conformance suite runs in vitest on Node against a target that lives in the browser.
 */
import type { Target, TargetCall } from '@switchyard/contract';

/** A thrown error as plain data, enough to rebuild the same Switchyard error class on the other side. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  isRetryable?: boolean;
  problems?: unknown;
  reason?: string;
  /** The typed fields of `ApiCallError`, `ConnectionError` and `TimeoutError`, so the proxy can rebuild them. */
  url?: string;
  method?: string;
  status?: number;
  retryAfterMs?: number;
  systemCode?: string;
  phase?: string;
  timeoutMs?: number;
}

/** The page-side registry the Node proxy talks to (`globalThis.switchyardHostedTargets`). */
export interface HostedTargets {
  describe(name: string): Pick<Target, 'id' | 'locality' | 'specificationVersion'> & {
    capabilities: Record<string, unknown>;
    status: ReturnType<Target['status']>;
    canCheckStatus: boolean;
  };
  status(name: string): ReturnType<Target['status']>;
  checkStatus(name: string): Promise<{ ok: ReturnType<Target['status']> } | { error: SerializedError }>;
  start(name: string, call: TargetCall, options: { aborted: boolean; stream: boolean }): number;
  next(run: number): Promise<{ value?: unknown; done?: boolean; error?: SerializedError }>;
  abort(run: number): void;
}

function serialize(error: unknown): SerializedError {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  return {
    name: text(record.name) ?? 'Error',
    message: text(record.message) ?? String(error),
    code: text(record.code),
    isRetryable: typeof record.isRetryable === 'boolean' ? record.isRetryable : undefined,
    problems: record.problems,
    reason: text(record.reason),
    url: text(record.url),
    method: text(record.method),
    status: number(record.status),
    retryAfterMs: number(record.retryAfterMs),
    systemCode: text(record.systemCode),
    phase: text(record.phase),
    timeoutMs: number(record.timeoutMs),
  };
}

/** Makes `target` reachable from the Node test as `name`. */
export function hostTarget(name: string, target: Target): void {
  const scope = globalThis as { switchyardHostedTargets?: HostedTargets; switchyardTargets?: Map<string, Target> };
  scope.switchyardTargets ??= new Map();
  const targets = scope.switchyardTargets;
  targets.set(name, target);
  if (scope.switchyardHostedTargets) return;
  const runs = new Map<number, { iterator: AsyncIterator<unknown>; controller: AbortController }>();
  let nextRun = 1;
  const get = (targetName: string) => {
    const found = targets.get(targetName);
    if (!found) throw new Error(`no hosted target ${targetName}`);
    return found;
  };
  scope.switchyardHostedTargets = {
    describe(targetName) {
      const found = get(targetName);
      const { countTokens: _, ...capabilities } = found.capabilities;
      return {
        id: found.id,
        locality: found.locality,
        specificationVersion: found.specificationVersion,
        capabilities,
        status: found.status(),
        canCheckStatus: typeof found.checkStatus === 'function',
      };
    },
    status: (targetName) => get(targetName).status(),
    async checkStatus(targetName) {
      try {
        return { ok: (await get(targetName).checkStatus?.()) ?? get(targetName).status() };
      } catch (error) {
        return { error: serialize(error) };
      }
    },
    start(targetName, call, options) {
      const controller = new AbortController();
      if (options.aborted) controller.abort();
      const withSignal = { ...call, signal: controller.signal } as TargetCall;
      const found = get(targetName);
      const iterator = options.stream
        ? found.stream(withSignal)[Symbol.asyncIterator]()
        : (async function* () {
            yield await found.generate(withSignal);
          })();
      const run = nextRun++;
      runs.set(run, { iterator, controller });
      return run;
    },
    async next(run) {
      const entry = runs.get(run);
      if (!entry) return { done: true };
      try {
        const result = await entry.iterator.next();
        if (result.done) runs.delete(run);
        return result.done ? { done: true } : { value: result.value };
      } catch (error) {
        runs.delete(run);
        return { error: serialize(error) };
      }
    },
    abort(run) {
      // Only the signal: the target itself must end the stream with an AbortError.
      runs.get(run)?.controller.abort();
    },
  };
}
