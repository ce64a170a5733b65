import type { SwitchyardError } from '@switchyard/contract';

/**
 * The cancellation of one routed request: the caller's signal or the request deadline, told to whoever subscribed
 * (live attempts, a backoff sleep, the hedge timer).
 *
 * Why not an `AbortController`: on Node 20 creating one and reading its signal costs ~9 µs, more than the rest of
 * the router's per-request work; a request with no caller signal and no deadline needs nothing at all, and one that
 * has them needs only this list.
 */
export class RequestAbort {
  /** Shared by every request that nothing can abort (no caller signal, no deadline): it never changes. */
  static readonly never = new RequestAbort(false);

  /** Set once: an `AbortError` (the caller) or the deadline's `TimeoutError`. */
  reason: SwitchyardError | undefined;
  #listeners: Set<(reason: SwitchyardError) => void> | undefined;

  /** Whether anything can abort this request at all (a caller signal or a deadline). */
  constructor(readonly possible: boolean) {}

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  /** Calls `listener` once if the request aborts; returns the unsubscribe function. */
  onAbort(listener: (reason: SwitchyardError) => void): () => void {
    if (!this.possible) return noop;
    this.#listeners ??= new Set();
    this.#listeners.add(listener);
    return () => this.#listeners?.delete(listener);
  }

  abort(reason: SwitchyardError): void {
    if (this.reason !== undefined || !this.possible) return;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason);
  }
}

function noop(): void {}

/**
 * Waits `ms`. Resolves `true` when the time is up, `false` when the request aborts first or `cancel()` is called;
 * never leaves a timer or a listener behind.
 */
export function abortableDelay(ms: number, requestAbort: RequestAbort): { done: Promise<boolean>; cancel(): void } {
  let settle: (elapsed: boolean) => void = noop;
  const done = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  if (requestAbort.aborted) return { done: Promise.resolve(false), cancel: noop };
  let unsubscribe = noop;
  const timer = setTimeout(() => {
    unsubscribe();
    settle(true);
  }, ms);
  const cancel = () => {
    clearTimeout(timer);
    unsubscribe();
    settle(false);
  };
  unsubscribe = requestAbort.onAbort(cancel);
  return { done, cancel };
}
