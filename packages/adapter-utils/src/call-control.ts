import { AbortError, type SwitchyardError, TimeoutError, toSwitchyardError } from '@switchyard/contract';

/** The adapter's own deadlines for one call, in milliseconds. */
export interface CallDeadlines {
  /** The whole call. */
  timeoutMs?: number | undefined;
  /** Until the first token (streams). */
  firstTokenTimeoutMs?: number | undefined;
}

/**
 * The cancellation of one HTTP call: the caller's signal and the adapter's own deadlines merged into the one signal
 * undici gets, and the rule that turns whatever undici throws into the right typed error.
 *
 * @example
 * ```ts
 * const control = new CallControl(call.signal, target.id, url, { timeoutMs: 30_000 });
 * try {
 *   const response = await request(url, { signal: control.signal, dispatcher });
 *   // ... read the body; call control.firstToken() when the first token arrives
 * } catch (error) {
 *   throw control.toError(error);
 * } finally {
 *   control.dispose();
 * }
 * ```
 */
export class CallControl {
  /** The signal handed to undici; aborting it cancels the request and destroys the body. */
  readonly signal: AbortSignal | undefined;
  private readonly controller: AbortController | undefined;
  private timeout: TimeoutError | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private firstTokenTimer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    private readonly caller: AbortSignal | undefined,
    private readonly target: string,
    private readonly url: string,
    deadlines: CallDeadlines = {},
  ) {
    const { timeoutMs, firstTokenTimeoutMs } = deadlines;
    if (timeoutMs === undefined && firstTokenTimeoutMs === undefined) {
      // Hot path: no timers, so undici can use the caller's signal directly.
      this.signal = caller;
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.signal = controller.signal;
    if (caller) {
      this.onCallerAbort = () => controller.abort(caller.reason);
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
    if (timeoutMs !== undefined) this.totalTimer = setTimeout(() => this.expire(timeoutMs, 'total'), timeoutMs);
    if (firstTokenTimeoutMs !== undefined) {
      this.firstTokenTimer = setTimeout(() => this.expire(firstTokenTimeoutMs, 'first-token'), firstTokenTimeoutMs);
    }
  }

  /** Throws an `AbortError` when the caller has given up, or the `TimeoutError` when a deadline has passed. */
  throwIfAborted(): void {
    if (this.caller?.aborted) throw new AbortError({ target: this.target, cause: this.caller.reason });
    if (this.timeout) throw this.timeout;
  }

  /** The first token arrived: the first-token deadline no longer applies. */
  firstToken(): void {
    if (this.firstTokenTimer !== undefined) {
      clearTimeout(this.firstTokenTimer);
      this.firstTokenTimer = undefined;
    }
  }

  /** The typed error for anything thrown during the call; our own deadlines and the caller's abort win. */
  toError(error: unknown): SwitchyardError {
    if (this.timeout) return this.timeout;
    if (this.caller?.aborted) return new AbortError({ target: this.target, cause: error });
    return toSwitchyardError(error, { target: this.target, url: this.url });
  }

  /** Clears timers and listeners; call once the call is over, on every path. */
  dispose(): void {
    clearTimeout(this.totalTimer);
    clearTimeout(this.firstTokenTimer);
    if (this.onCallerAbort) this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private expire(timeoutMs: number, phase: 'total' | 'first-token'): void {
    this.timeout = new TimeoutError({ timeoutMs, phase, target: this.target });
    this.controller?.abort(this.timeout);
  }
}
