import {
  AbortError,
  longestTimerMs,
  type SwitchyardError,
  TimeoutError,
  toSwitchyardError,
} from '@switchyard/contract';

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
  /**
   * Only a call with deadlines of its own has them: most calls have none, and the call's state lives as long as the
   * server takes to answer (bench row 5 counts memory per request in flight).
   */
  readonly #deadlines: Deadlines | undefined;

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
    const state = new Deadlines();
    this.#deadlines = state;
    const controller = state.controller;
    this.signal = controller.signal;
    if (caller) {
      state.onCallerAbort = () => controller.abort(caller.reason);
      caller.addEventListener('abort', state.onCallerAbort, { once: true });
    }
    // A timer longer than 2^31 - 1 ms runs at once (Node warns): a deadline of 25+ days means "about never", so wait
    // the longest a timer can rather than fail every call on its first await.
    if (timeoutMs !== undefined) {
      state.totalTimer = setTimeout(() => this.#expire(timeoutMs, 'total'), Math.min(timeoutMs, longestTimerMs));
    }
    if (firstTokenTimeoutMs !== undefined) {
      state.firstTokenTimer = setTimeout(
        () => this.#expire(firstTokenTimeoutMs, 'first-token'),
        Math.min(firstTokenTimeoutMs, longestTimerMs),
      );
    }
  }

  /** Throws an `AbortError` when the caller has given up, or the `TimeoutError` when a deadline has passed. */
  throwIfAborted(): void {
    if (this.caller?.aborted) throw new AbortError({ target: this.target, cause: this.caller.reason });
    const timeout = this.#deadlines?.timeout;
    if (timeout) throw timeout;
  }

  /** The first token arrived: the first-token deadline no longer applies. */
  firstToken(): void {
    const state = this.#deadlines;
    if (state?.firstTokenTimer !== undefined) {
      clearTimeout(state.firstTokenTimer);
      state.firstTokenTimer = undefined;
    }
  }

  /** The typed error for anything thrown during the call; our own deadlines and the caller's abort win. */
  toError(error: unknown): SwitchyardError {
    const timeout = this.#deadlines?.timeout;
    if (timeout) return timeout;
    if (this.caller?.aborted) return new AbortError({ target: this.target, cause: error });
    return toSwitchyardError(error, { target: this.target, url: this.url });
  }

  /** Clears timers and listeners; call once the call is over, on every path. */
  dispose(): void {
    const state = this.#deadlines;
    if (state === undefined) return;
    clearTimeout(state.totalTimer);
    clearTimeout(state.firstTokenTimer);
    if (state.onCallerAbort) this.caller?.removeEventListener('abort', state.onCallerAbort);
  }

  #expire(timeoutMs: number, phase: 'total' | 'first-token'): void {
    const state = this.#deadlines!;
    state.timeout = new TimeoutError({ timeoutMs, phase, target: this.target });
    state.controller.abort(state.timeout);
  }
}

/** A call's own deadlines: the signal undici gets instead of the caller's, the timers, the caller's listener. */
class Deadlines {
  readonly controller = new AbortController();
  timeout: TimeoutError | undefined = undefined;
  totalTimer: NodeJS.Timeout | undefined = undefined;
  firstTokenTimer: NodeJS.Timeout | undefined = undefined;
  onCallerAbort: (() => void) | undefined = undefined;
}
