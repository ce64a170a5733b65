/** The states of a target's circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitSettings {
  /** `false`: the breaker never opens, from failures here or from a peer's shared circuit. Default true. */
  enabled?: boolean | undefined;
  failureThreshold: number;
  windowMs: number;
  cooldownMs: number;
  /** How often an open circuit's remote target is health-probed (default: a quarter of `cooldownMs`). */
  probeIntervalMs?: number | undefined;
}

/**
 * Per-target circuit breaker: `failureThreshold` failures within `windowMs` open it; after `cooldownMs` one probe
 * request is let through (half-open); its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  #state: CircuitState = 'closed';
  #failures: number[] = [];
  #openedAt = 0;
  #probing = false;

  constructor(
    public settings: CircuitSettings,
    private readonly onChange: (from: CircuitState, to: CircuitState) => void,
  ) {}

  /** The state as seen at `now`, without changing anything: an open circuit past its cooldown reads half-open. */
  stateAt(now: number): CircuitState {
    if (this.#state === 'open' && now - this.#openedAt >= this.settings.cooldownMs) return 'half-open';
    return this.#state;
  }

  /** Whether a new request may be planned on this target at `now` (pure). */
  admits(now: number): boolean {
    const state = this.stateAt(now);
    return state === 'closed' || (state === 'half-open' && !this.#probing);
  }

  /** Claims permission for one attempt; in half-open this takes the single probe slot. */
  acquire(now: number): boolean {
    if (!this.admits(now)) return false;
    if (this.stateAt(now) === 'half-open') {
      if (this.#state === 'open') this.#transition('half-open');
      this.#probing = true;
    }
    return true;
  }

  recordSuccess(): void {
    this.#probing = false;
    this.#failures = [];
    if (this.#state !== 'closed') this.#transition('closed');
  }

  recordFailure(now: number): void {
    if (this.settings.enabled === false) return;
    if (this.#state === 'half-open') {
      this.#probing = false;
      this.#open(now);
      return;
    }
    if (this.#state === 'open') return;
    const cutoff = now - this.settings.windowMs;
    this.#failures = this.#failures.filter((time) => time > cutoff);
    this.#failures.push(now);
    if (this.#failures.length >= this.settings.failureThreshold) this.#open(now);
  }

  /**
   * A health probe found the target ready while the circuit is open: let the next request through as the trial
   * (half-open) without waiting out the rest of the cooldown. Returns whether it changed anything.
   */
  halfOpenEarly(now: number): boolean {
    if (this.stateAt(now) !== 'open') return false;
    this.#probing = false;
    this.#transition('half-open');
    return true;
  }

  /** When the current cooldown ends (epoch ms); meaningful only while the circuit is open. */
  get openUntil(): number {
    return this.#openedAt + this.settings.cooldownMs;
  }

  /**
   * Another replica opened this target's circuit until `untilMs` (heard through the shared state store). Opens it here
   * too, or extends the cooldown; an earlier end than the current one changes nothing: extend, never shorten.
   * Returns whether it changed anything.
   */
  openUntilAt(untilMs: number, now: number): boolean {
    if (untilMs <= now || this.settings.enabled === false) return false;
    if (this.#state === 'open' && this.openUntil >= untilMs) return false;
    this.#openedAt = untilMs - this.settings.cooldownMs;
    this.#failures = [];
    this.#probing = false;
    this.#transition('open');
    return true;
  }

  /** Another replica's probe found the target healthy: close here too. Returns whether it changed anything. */
  closeFromPeer(): boolean {
    if (this.#state === 'closed') return false;
    this.#failures = [];
    this.#probing = false;
    this.#transition('closed');
    return true;
  }

  /** An aborted attempt says nothing about the target's health: it only gives the probe slot back. */
  recordAbort(): void {
    this.#probing = false;
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#failures = [];
    this.#transition('open');
  }

  #transition(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    if (from !== to) this.onChange(from, to);
  }
}
