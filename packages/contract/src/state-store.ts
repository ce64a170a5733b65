/**
 * State that replicas of a router (or of the gateway) must agree on: budget reservations, circuit cooldowns,
 * rate-limit counters and the remote-share window. Every operation is one atomic step in the store (never a read
 * followed by a write from the caller), so concurrent requests on any number of replicas cannot overspend.
 *
 * Keys are opaque strings chosen by the caller (`budget:day:2026-12-07`, `circuit:gpu`); a store may prefix them.
 * Times are epoch milliseconds; TTLs are milliseconds.
 */

/** Spend recorded under one budget period key. */
export interface BudgetState {
  /** Settled spend in dollars. */
  spentUsd: number;
  /** Dollars held by open reservations that have not expired. */
  reservedUsd: number;
}

/** The answer to {@link StateStore.reserveBudget}. */
export interface BudgetReservation extends BudgetState {
  /** Whether the reservation was taken: `spentUsd + reservedUsd + amountUsd <= limitUsd` held at that instant. */
  granted: boolean;
}

/** Input of {@link StateStore.reserveBudget}. */
export interface BudgetReserveInput {
  key: string;
  /** Unique per reservation (one per attempt); settle and release name it. */
  reservationId: string;
  amountUsd: number;
  limitUsd: number;
  /** How long the hold lasts if never settled or released (a replica that died mid-request). */
  reservationTtlMs: number;
  /** How long the period's record lives after this write (until the period ends, plus slack). */
  keyTtlMs: number;
}

/** Input of {@link StateStore.settleBudget}. */
export interface BudgetSettleInput {
  key: string;
  reservationId: string;
  /** The real cost; added to spend even when the reservation expired or never existed, so no spend is lost. */
  actualUsd: number;
  keyTtlMs: number;
}

/** Input of {@link StateStore.releaseBudget}. */
export interface BudgetReleaseInput {
  key: string;
  reservationId: string;
}

/** Input of {@link StateStore.openCircuit}. */
export interface OpenCircuitInput {
  key: string;
  /** Epoch ms the cooldown lasts until. An earlier value than the stored one changes nothing: extend, never shorten. */
  untilMs: number;
}

/** Input of {@link StateStore.incrementCounter}: a fixed window counter (rate limits). */
export interface CounterInput {
  key: string;
  /** Added to the count (1 for a request, the token count for tokens per minute). */
  amount: number;
  /** The window starts at the first increment and lasts this long. */
  windowMs: number;
}

/** The answer to {@link StateStore.incrementCounter}. */
export interface CounterState {
  /** The count in the current window, this increment included. */
  count: number;
  /** Epoch ms at which the window ends and the count starts again from zero. */
  resetAtMs: number;
}

/** Input of {@link StateStore.recordRemoteShare}. */
export interface RemoteShareInput {
  key: string;
  /** Whether this request ran remotely. */
  remote: boolean;
  /** The window keeps the last `capacity` requests. */
  capacity: number;
}

/** The remote-share window after a record. */
export interface RemoteShareState {
  /** Remote share of the window, 0..1 (0 when empty). */
  share: number;
  /** Requests in the window. */
  size: number;
}

/**
 * What a store tells its subscribers: a circuit opened or closed (possibly by another replica), or the store lost or
 * regained its shared backend (a store that falls back to local state keeps serving meanwhile).
 */
export type StateStoreEvent =
  | { type: 'circuit'; key: string; openUntilMs: number | undefined }
  | { type: 'degraded'; message: string }
  | { type: 'restored'; message: string };

/**
 * Shared state for routers and gateways. `createMemoryStateStore()` from `@switchyard/core` is the default (one
 * process); `@switchyard/store-redis` shares it between replicas. Implementations run `runStateStoreConformance` from
 * `@switchyard/contract/testing`.
 *
 * @example
 * ```ts
 * const hold = await store.reserveBudget({
 *   key: 'budget:day:2026-12-07', reservationId: 'req_1', amountUsd: 0.02, limitUsd: 5,
 *   reservationTtlMs: 600_000, keyTtlMs: 90_000_000,
 * });
 * if (hold.granted) {
 *   // ... call the paid endpoint, then:
 *   await store.settleBudget({ key: 'budget:day:2026-12-07', reservationId: 'req_1', actualUsd: 0.013, keyTtlMs: 90_000_000 });
 * }
 * ```
 */
export interface StateStore {
  /** `memory`, `redis`, …: shown in logs and events. */
  readonly kind: string;
  /** Atomically holds `amountUsd` if it fits under `limitUsd` next to spend and open reservations. */
  reserveBudget(input: BudgetReserveInput): Promise<BudgetReservation>;
  /** Replaces a reservation by the real cost. */
  settleBudget(input: BudgetSettleInput): Promise<BudgetState>;
  /** Drops a reservation without spending (abort, failure before any cost). Unknown ids are ignored. */
  releaseBudget(input: BudgetReleaseInput): Promise<BudgetState>;
  readBudget(key: string): Promise<BudgetState>;
  /** Opens (or extends) a circuit's cooldown; returns the cooldown's end after the write. Subscribers hear of it. */
  openCircuit(input: OpenCircuitInput): Promise<number>;
  /** Closes a circuit (a probe succeeded). Subscribers hear of it. */
  closeCircuit(key: string): Promise<void>;
  /** The end of the circuit's cooldown, or undefined when it is closed or the cooldown is over. */
  readCircuit(key: string): Promise<number | undefined>;
  incrementCounter(input: CounterInput): Promise<CounterState>;
  recordRemoteShare(input: RemoteShareInput): Promise<RemoteShareState>;
  /** Listens for circuit changes (from any replica sharing the store) and backend health; returns unsubscribe. */
  subscribe(listener: (event: StateStoreEvent) => void): () => void;
  /** Releases connections and timers. The store is unusable afterwards. */
  close(): Promise<void>;
}
