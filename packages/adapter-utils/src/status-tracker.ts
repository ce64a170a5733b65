import {
  AbortError,
  type SwitchyardError,
  type TargetStatus,
  TimeoutError,
  toSwitchyardError,
} from '@switchyard/contract';
import { unavailableCodeOf } from './unavailable-code.js';

/** Options of {@link StatusTracker}. */
export interface StatusTrackerOptions {
  /** The target id, for errors. */
  target: string;
  /**
   * Runs one status probe and returns what it found. The signal aborts when every caller waiting on the probe has
   * given up, when the probe passes `probeTimeoutMs`, or on `dispose()`. A thrown error becomes `unavailable` with
   * the matching code (`unreachable`, `timeout`, `unauthorized`, ...).
   */
  probe: (signal: AbortSignal) => Promise<TargetStatus>;
  /** What `status()` says before the first probe. Default `ready` (optimistic: the common case). */
  initial?: TargetStatus;
  /** Longest a probe may take, in ms; past it the status is `unavailable` with code `timeout`. Default 10 000. */
  probeTimeoutMs?: number;
  /** How long a probe result is reused by `check()`, in ms. Default 0 (concurrent checks still share one probe). */
  cacheMs?: number;
  /** While not ready, how often a read of `status()` starts another background probe, in ms. Default 5000. */
  refreshMs?: number;
  /**
   * Whether reads start background probes at all. Default true. A remote target behind the router may turn it off:
   * the router's health probes already call `checkStatus()` for unavailable remote targets, on their own schedule.
   */
  refreshOnRead?: boolean;
  /** Redacts secrets from the message of a failed probe. */
  redact?: (message: string) => string;
}

interface Pending {
  promise: Promise<TargetStatus>;
  controller: AbortController;
  waiters: number;
}

/**
 * One target's readiness, kept the same way by every adapter. Who refreshes it, decided once here: **the target owns
 * its status and everyone shares one probe**. `status()` (via {@link StatusTracker.read}) never waits on I/O; the
 * first read, and while the target is not ready a read at most every `refreshMs`, starts a background probe (unless
 * `refreshOnRead` is off, for remote targets the router already probes). Everyone else who asks — the router's health
 * probes, `switchyard doctor`, the application — calls `checkStatus()` (via {@link StatusTracker.check}), which joins
 * the probe in flight or reuses a result younger than `cacheMs`, so a target is never probed twice at once however
 * many callers ask. Real calls feed it too ({@link StatusTracker.observe}): a failed connection marks the target
 * `unreachable` at once, and an answer ends that.
 *
 * @example
 * ```ts
 * const tracker = new StatusTracker({ target: id, probe: async (signal) => {
 *   await client.getJson({ path: '/health', signal });
 *   return { state: 'ready' };
 * } });
 * const target = { status: () => tracker.read(), checkStatus: (o) => tracker.check(o?.signal), dispose: () => tracker.dispose() };
 * ```
 */
export class StatusTracker {
  private current: TargetStatus;
  private pending: Pending | undefined;
  private background: Promise<unknown> | undefined;
  /** When the last probe finished; `undefined` before the first one started. */
  private lastProbeAt: number | undefined;
  private disposed = false;
  private readonly disposeController = new AbortController();

  constructor(private readonly options: StatusTrackerOptions) {
    this.current = options.initial ?? { state: 'ready' };
  }

  /** The status as last known, starting a background probe when it is due. Never waits. */
  read(): TargetStatus {
    if (this.refreshDue()) {
      this.background = this.check()
        .catch(() => undefined)
        .finally(() => {
          this.background = undefined;
        });
    }
    return this.current;
  }

  /** The status as last known, without starting anything. */
  peek(): TargetStatus {
    return this.current;
  }

  /** Sets the status (a download's progress, a load that finished, a model found missing by a call). */
  set(status: TargetStatus): void {
    this.current = status;
  }

  /**
   * Learns from a call: a connection failure marks the target `unavailable` (`unreachable`) with the error's message;
   * `undefined` (the call got an answer) ends an `unreachable` status.
   */
  observe(error: SwitchyardError | undefined): void {
    if (error === undefined) {
      if (this.current.state === 'unavailable' && this.current.code === 'unreachable')
        this.current = { state: 'ready' };
      return;
    }
    if (error.code === 'connection') {
      const reason = this.options.redact ? this.options.redact(error.message) : error.message;
      this.current = { state: 'unavailable', code: 'unreachable', reason };
    }
  }

  /**
   * Probes now, or joins the probe in flight, or returns a result younger than `cacheMs`. Rejects with `AbortError`
   * when `signal` aborts (the last status stays: a caller giving up says nothing about the server).
   */
  check(signal?: AbortSignal): Promise<TargetStatus> {
    if (signal?.aborted) return Promise.reject(new AbortError({ target: this.options.target, cause: signal.reason }));
    const cacheMs = this.options.cacheMs ?? 0;
    if (this.pending === undefined && this.lastProbeAt !== undefined && Date.now() - this.lastProbeAt < cacheMs) {
      return Promise.resolve(this.current);
    }
    const pending = this.pending ?? this.start();
    pending.waiters += 1;
    if (signal === undefined) return pending.promise;
    return new Promise<TargetStatus>((resolve, reject) => {
      const onAbort = () => {
        // The last caller to give up cancels the probe; the others still get its answer.
        pending.waiters -= 1;
        if (pending.waiters === 0) pending.controller.abort(signal.reason);
        reject(new AbortError({ target: this.options.target, cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Stops background probes and aborts the one in flight, then waits for it to settle. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.disposeController.abort();
    await this.background;
    await this.pending?.promise.catch(() => undefined);
  }

  private refreshDue(): boolean {
    if (this.disposed || this.pending !== undefined || this.options.refreshOnRead === false) return false;
    if (this.lastProbeAt === undefined) return true;
    if (this.current.state === 'ready' || this.current.state === 'downloading') return false;
    return Date.now() - this.lastProbeAt >= (this.options.refreshMs ?? 5000);
  }

  private start(): Pending {
    // Counts as the first probe at once, so a read while it runs does not start another.
    this.lastProbeAt ??= Date.now();
    const timeoutMs = this.options.probeTimeoutMs ?? 10_000;
    const controller = new AbortController();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([controller.signal, timeout, this.disposeController.signal]);
    const pending: Pending = { controller, waiters: 0, promise: Promise.resolve(this.current) };
    // Raced against the signal: a probe that ignores it must not keep the tracker (or dispose()) waiting.
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    pending.promise = Promise.race([this.options.probe(signal), aborted])
      .then(
        (status) => {
          this.current = status;
          return status;
        },
        (error: unknown) => {
          if (controller.signal.aborted || this.disposeController.signal.aborted) {
            throw new AbortError({ target: this.options.target, cause: error });
          }
          const typed = timeout.aborted
            ? new TimeoutError({ timeoutMs, phase: 'status probe', target: this.options.target })
            : toSwitchyardError(error, { target: this.options.target });
          const message = timeout.aborted ? `status probe timed out after ${timeoutMs} ms` : typed.message;
          this.current = {
            state: 'unavailable',
            code: unavailableCodeOf(typed),
            reason: this.options.redact ? this.options.redact(message) : message,
          };
          return this.current;
        },
      )
      .finally(() => {
        this.lastProbeAt = Date.now();
        if (this.pending === pending) this.pending = undefined;
      });
    this.pending = pending;
    return pending;
  }
}
