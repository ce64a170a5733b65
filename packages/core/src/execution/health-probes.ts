import type { Target, TargetStatus } from '@switchyard/contract';
import type { TargetHealth } from './target-health.js';

/** What one probe found, as reported by the router's `probe` event. */
export interface ProbeResult {
  target: string;
  /** The state `checkStatus()` returned, or `error` when it threw or timed out. */
  state: TargetStatus['state'] | 'error';
}

/** A target that has the optional `checkStatus()`: only these are probed. */
type ProbedTarget = Target & Required<Pick<Target, 'checkStatus'>>;

function hasCheckStatus(target: Target): target is ProbedTarget {
  return typeof target.checkStatus === 'function';
}

/**
 * Health probes for remote targets whose circuit is open or whose `status()` says `unavailable`: every `probeIntervalMs` (default a quarter of the
 * cooldown) the target's own `checkStatus()` is asked, and a `ready` answer half-opens the circuit early, so the next
 * request is the trial instead of waiting out the cooldown (and an unavailable target's own `checkStatus()` marks it
 * ready again, so plans include it again). Probing stops once the circuit is no longer open and the target is not
 * unavailable. Timers
 * are `unref()`ed (they never keep a process alive) and `dispose()` stops them and aborts probes in flight. Local
 * targets are not probed: their readiness is already in `status()`, and `checkStatus()` may scan or load model files.
 */
export class HealthProbes {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #controller = new AbortController();

  constructor(
    private readonly clock: () => number,
    private readonly onProbe: (result: ProbeResult) => void,
  ) {}

  /** Starts probing `health` if it is a remote target with `checkStatus()` and is not probed already. */
  watch(health: TargetHealth): void {
    const target = health.target;
    if (target.locality !== 'remote' || !hasCheckStatus(target)) return;
    if (this.#controller.signal.aborted || this.#timers.has(health.name)) return;
    this.#schedule(health, target);
  }

  dispose(): void {
    this.#controller.abort();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #interval(health: TargetHealth): number {
    const settings = health.circuit.settings;
    return settings.probeIntervalMs ?? Math.max(1, Math.round(settings.cooldownMs / 4));
  }

  // `target` is `health.target`, passed narrowed so the probe's type shows the guard `watch` made.
  #schedule(health: TargetHealth, target: ProbedTarget): void {
    const timer = setTimeout(() => void this.#probe(health, target), this.#interval(health));
    timer.unref?.();
    this.#timers.set(health.name, timer);
  }

  async #probe(health: TargetHealth, target: ProbedTarget): Promise<void> {
    const circuit = health.circuit;
    const unavailable = target.status().state === 'unavailable';
    if (this.#controller.signal.aborted || (circuit.stateAt(this.clock()) !== 'open' && !unavailable)) {
      this.#timers.delete(health.name);
      return;
    }
    // A probe that takes longer than the interval is abandoned as a failure, so probes never pile up.
    const attempt = new AbortController();
    const onDispose = () => attempt.abort(this.#controller.signal.reason);
    this.#controller.signal.addEventListener('abort', onDispose, { once: true });
    const limit = setTimeout(() => attempt.abort(new Error('health probe timed out')), this.#interval(health));
    limit.unref?.();
    let state: ProbeResult['state'];
    try {
      const status = await Promise.race([
        target.checkStatus({ signal: attempt.signal }),
        new Promise<never>((_, reject) => {
          if (attempt.signal.aborted) reject(attempt.signal.reason);
          attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason), { once: true });
        }),
      ]);
      state = status.state;
    } catch {
      state = 'error';
    } finally {
      clearTimeout(limit);
      this.#controller.signal.removeEventListener('abort', onDispose);
    }
    if (this.#controller.signal.aborted) return;
    this.onProbe({ target: health.name, state });
    if (state === 'ready') {
      circuit.halfOpenEarly(this.clock());
      this.#timers.delete(health.name);
      return;
    }
    this.#schedule(health, target);
  }
}
