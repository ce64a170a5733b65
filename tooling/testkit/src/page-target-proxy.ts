import type { GenerateResult, StreamPart, Target, TargetCall, TargetStatus } from '@switchyard/contract';
import {
  AbortError,
  ApiCallError,
  ConnectionError,
  InvalidRequestError,
  InvalidResponseError,
  SwitchyardError,
  type SwitchyardErrorCode,
  TargetUnavailableError,
  TimeoutError,
} from '@switchyard/contract';
import type { Page } from 'playwright-core';
import type { HostedTargets, SerializedError } from './page/index.js';

declare global {
  var switchyardHostedTargets: HostedTargets;
}

function revive(error: SerializedError, target: string): SwitchyardError {
  if (error.code === 'abort') return new AbortError({ target, message: error.message });
  if (error.code === 'invalid-request') {
    return new InvalidRequestError({
      target,
      problems: Array.isArray(error.problems) ? error.problems : [],
      message: error.message,
    });
  }
  if (error.code === 'target-unavailable') {
    return new TargetUnavailableError({
      target,
      reason: error.reason ?? error.message,
      isRetryable: error.isRetryable,
    });
  }
  if (error.code === 'api-call' && error.status !== undefined) {
    return new ApiCallError({
      url: error.url ?? '(unknown)',
      method: error.method,
      status: error.status,
      retryAfterMs: error.retryAfterMs,
      target,
      isRetryable: error.isRetryable,
    });
  }
  if (error.code === 'connection') {
    return new ConnectionError({
      url: error.url ?? '(unknown)',
      ...(error.systemCode === undefined ? { detail: error.message } : { systemCode: error.systemCode }),
      target,
    });
  }
  if (error.code === 'timeout') {
    return new TimeoutError({
      timeoutMs: error.timeoutMs ?? 0,
      phase: error.phase,
      target,
      isRetryable: error.isRetryable,
    });
  }
  if (error.code === 'invalid-response') {
    return new InvalidResponseError({ message: error.message, target, isRetryable: error.isRetryable });
  }
  return new SwitchyardError({
    code: (error.code ?? 'internal') as SwitchyardErrorCode,
    message: error.message,
    target,
    isRetryable: error.isRetryable,
  });
}

/**
 * A Node-side `Target` that forwards every call to a target a test page hosts with `hostTarget(name, target)` (from
 * `@switchyard/testkit/page`): calls go in through `page.evaluate`, parts and errors come back one by one, an abort of
 * the caller's signal aborts the call in the page. Lets `runTargetConformance` test browser targets.
 */
export async function createPageTargetProxy(page: Page, name: string): Promise<Target> {
  const described = await page.evaluate((targetName) => switchyardHostedTargets.describe(targetName), name);
  let status: TargetStatus = described.status;
  const id = described.id;

  async function* run(call: TargetCall, stream: boolean): AsyncGenerator<unknown> {
    const { signal, ...data } = call;
    const handle = await page.evaluate(
      ({ targetName, call, options }) => switchyardHostedTargets.start(targetName, call, options),
      { targetName: name, call: data as TargetCall, options: { aborted: signal?.aborted === true, stream } },
    );
    const onAbort = () => void page.evaluate((run) => switchyardHostedTargets.abort(run), handle).catch(() => {});
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      while (true) {
        const next = await page.evaluate((run) => switchyardHostedTargets.next(run), handle);
        if (next.error) throw revive(next.error, id);
        if (next.done) break;
        yield next.value;
      }
      finished = true;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) onAbort();
      status = await page
        .evaluate((targetName) => switchyardHostedTargets.status(targetName), name)
        .catch(() => status);
    }
  }

  return {
    specificationVersion: 'v1',
    id,
    locality: described.locality,
    capabilities: described.capabilities as unknown as Target['capabilities'],
    status: () => status,
    ...(described.canCheckStatus
      ? {
          async checkStatus() {
            const result = await page.evaluate((targetName) => switchyardHostedTargets.checkStatus(targetName), name);
            if ('error' in result) throw revive(result.error, id);
            status = result.ok;
            return status;
          },
        }
      : {}),
    stream: (call) => run(call, true) as AsyncGenerator<StreamPart>,
    async generate(call) {
      for await (const result of run(call, false)) return result as GenerateResult;
      throw new SwitchyardError({ code: 'internal', message: 'the hosted target returned nothing', target: id });
    },
  };
}
