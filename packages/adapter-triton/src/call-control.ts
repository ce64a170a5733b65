import { AbortError, type SwitchyardError, TimeoutError, toSwitchyardError } from '@switchyard/spec';

/**
 * The cancellation of one HTTP call: the caller's signal and the adapter's own deadlines merged into the single
 * signal undici gets, plus the rule that turns whatever undici throws into the right typed error.
 */
export class CallControl {
  /** The signal handed to undici; aborting it cancels the request and destroys the body. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timeout: TimeoutError | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private firstTokenTimer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort: () => void;

  constructor(
    private readonly caller: AbortSignal | undefined,
    private readonly target: string,
    private readonly url: string,
    deadlines: { timeoutMs?: number; firstTokenTimeoutMs?: number } = {},
  ) {
    this.signal = this.controller.signal;
    this.onCallerAbort = () => this.controller.abort(caller?.reason);
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (deadlines.timeoutMs !== undefined) {
      const ms = deadlines.timeoutMs;
      this.timers.push(setTimeout(() => this.expire(ms, 'total'), ms));
    }
    if (deadlines.firstTokenTimeoutMs !== undefined) {
      const ms = deadlines.firstTokenTimeoutMs;
      this.firstTokenTimer = setTimeout(() => this.expire(ms, 'first-token'), ms);
    }
  }

  /** Throws an `AbortError` when the caller has already given up. */
  throwIfAborted(): void {
    if (this.caller?.aborted) throw new AbortError({ target: this.target, cause: this.caller.reason });
    if (this.timeout) throw this.timeout;
  }

  /** The first token arrived: the first-token deadline no longer applies. */
  firstToken(): void {
    clearTimeout(this.firstTokenTimer);
    this.firstTokenTimer = undefined;
  }

  /** The typed error for anything thrown during the call; our own deadlines and the caller's abort win. */
  toError(error: unknown): SwitchyardError {
    if (this.timeout) return this.timeout;
    if (this.caller?.aborted) return new AbortError({ target: this.target, cause: error });
    return toSwitchyardError(error, { target: this.target, url: this.url });
  }

  /** Clears timers and listeners; call once the call is over, on every path. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.firstTokenTimer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private expire(timeoutMs: number, phase: 'total' | 'first-token'): void {
    this.timeout = new TimeoutError({ timeoutMs, phase, target: this.target });
    this.controller.abort(this.timeout);
  }
}
