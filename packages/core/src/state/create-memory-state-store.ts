import type {
  BudgetReleaseInput,
  BudgetReservation,
  BudgetReserveInput,
  BudgetSettleInput,
  BudgetState,
  CounterInput,
  CounterState,
  OpenCircuitInput,
  RemoteShareInput,
  RemoteShareState,
  StateStore,
  StateStoreEvent,
} from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import { RemoteShareWindow } from '../decision/remote-share-window.js';

/** Options of {@link createMemoryStateStore}; `clock` is the only one. */
export interface MemoryStateStoreOptions {
  /** A function returning epoch milliseconds; inject one to test expiry. Default `Date.now`. */
  clock?: () => number;
}

interface BudgetRecord {
  spentUsd: number;
  reservations: Map<string, { amountUsd: number; expiresAt: number }>;
  expiresAt: number;
}

/**
 * The default `StateStore`: this process's memory. Every operation completes synchronously inside one call, so it is
 * atomic with respect to every other request in the process. Routers (and gateways) that share one instance share
 * budgets and circuits; replicas in other processes need a shared store such as `@switchyard/store-redis`.
 *
 * @example
 * ```ts
 * import { createMemoryStateStore, createRouter } from '@switchyard/core';
 * const store = createMemoryStateStore();
 * const a = createRouter({ targets, policy, store });
 * const b = createRouter({ targets, policy, store }); // sees a's budget holds and open circuits
 * ```
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  // A typo'd `clok` would leave `Date.now` in force without a word, and a clock that is not a function would fail on
  // the first budget or circuit call. (createRouter calls the unchecked store: its own options check covers `clock`.)
  const record = options as Record<string, unknown> | null;
  const clock = record?.clock;
  const example = 'e.g. { clock: () => Date.now() }';
  const problems =
    typeof record !== 'object' || !record
      ? [{ path: 'options', message: `expected an object or nothing, ${example}` }]
      : Object.keys(record)
          .filter((key) => key !== 'clock')
          .map((path) => ({ path, message: `unknown option; the only one is clock, ${example}` }));
  if (clock !== undefined && typeof clock !== 'function') {
    problems.push({ path: 'clock', message: 'expected a function returning epoch ms, e.g. () => Date.now()' });
  }
  if (problems.length > 0) throw new InvalidConfigError({ problems });
  return memoryStateStore(options.clock);
}

/** {@link createMemoryStateStore} without its options check, for callers that checked them. */
export function memoryStateStore(clock: () => number = Date.now): StateStore {
  const budgets = new Map<string, BudgetRecord>();
  const circuits = new Map<string, number>();
  const counters = new Map<string, CounterState>();
  const shares = new Map<string, RemoteShareWindow>();
  const listeners = new Set<(event: StateStoreEvent) => void>();
  let sweepAt = 0;

  const emit = (event: StateStoreEvent) => {
    for (const listener of listeners) listener(event);
  };

  /** The live record for `key`, with expired reservations dropped. */
  const budgetRecord = (key: string, now: number): BudgetRecord | undefined => {
    const record = budgets.get(key);
    if (record === undefined) return undefined;
    if (record.expiresAt <= now) {
      budgets.delete(key);
      return undefined;
    }
    for (const [id, reservation] of record.reservations) {
      if (reservation.expiresAt <= now) record.reservations.delete(id);
    }
    return record;
  };
  const stateOf = (record: BudgetRecord | undefined): BudgetState => {
    if (record === undefined) return { spentUsd: 0, reservedUsd: 0 };
    let reservedUsd = 0;
    for (const reservation of record.reservations.values()) reservedUsd += reservation.amountUsd;
    return { spentUsd: record.spentUsd, reservedUsd };
  };
  // Old period keys and counters would otherwise stay forever in a long-running process.
  const sweep = (now: number) => {
    if (now < sweepAt) return;
    sweepAt = now + 60_000;
    for (const key of budgets.keys()) budgetRecord(key, now);
    for (const [key, counter] of counters) if (counter.resetAtMs <= now) counters.delete(key);
    for (const [key, until] of circuits) if (until <= now) circuits.delete(key);
  };

  return {
    kind: 'memory',
    async reserveBudget(input: BudgetReserveInput): Promise<BudgetReservation> {
      const now = clock();
      sweep(now);
      let record = budgetRecord(input.key, now);
      const state = stateOf(record);
      if (state.spentUsd + state.reservedUsd + input.amountUsd > input.limitUsd) return { granted: false, ...state };
      if (record === undefined) {
        record = { spentUsd: 0, reservations: new Map(), expiresAt: 0 };
        budgets.set(input.key, record);
      }
      record.reservations.set(input.reservationId, {
        amountUsd: input.amountUsd,
        expiresAt: now + input.reservationTtlMs,
      });
      record.expiresAt = Math.max(record.expiresAt, now + input.keyTtlMs);
      return { granted: true, spentUsd: state.spentUsd, reservedUsd: state.reservedUsd + input.amountUsd };
    },
    async settleBudget(input: BudgetSettleInput): Promise<BudgetState> {
      const now = clock();
      let record = budgetRecord(input.key, now);
      if (record === undefined) {
        record = { spentUsd: 0, reservations: new Map(), expiresAt: 0 };
        budgets.set(input.key, record);
      }
      record.reservations.delete(input.reservationId);
      record.spentUsd += input.actualUsd;
      record.expiresAt = Math.max(record.expiresAt, now + input.keyTtlMs);
      return stateOf(record);
    },
    async releaseBudget(input: BudgetReleaseInput): Promise<BudgetState> {
      const record = budgetRecord(input.key, clock());
      record?.reservations.delete(input.reservationId);
      return stateOf(record);
    },
    async readBudget(key: string): Promise<BudgetState> {
      return stateOf(budgetRecord(key, clock()));
    },
    async openCircuit(input: OpenCircuitInput): Promise<number> {
      const now = clock();
      const current = circuits.get(input.key);
      const live = current !== undefined && current > now ? current : undefined;
      if (live !== undefined && live >= input.untilMs) return live;
      circuits.set(input.key, input.untilMs);
      emit({ type: 'circuit', key: input.key, openUntilMs: input.untilMs });
      return input.untilMs;
    },
    async closeCircuit(key: string): Promise<void> {
      circuits.delete(key);
      emit({ type: 'circuit', key, openUntilMs: undefined });
    },
    async readCircuit(key: string): Promise<number | undefined> {
      const until = circuits.get(key);
      return until !== undefined && until > clock() ? until : undefined;
    },
    async incrementCounter(input: CounterInput): Promise<CounterState> {
      const now = clock();
      sweep(now);
      let counter = counters.get(input.key);
      if (counter === undefined || counter.resetAtMs <= now) {
        counter = { count: 0, resetAtMs: now + input.windowMs };
        counters.set(input.key, counter);
      }
      counter.count += input.amount;
      return { ...counter };
    },
    async recordRemoteShare(input: RemoteShareInput): Promise<RemoteShareState> {
      let window = shares.get(input.key);
      if (window === undefined) {
        window = new RemoteShareWindow(input.capacity);
        shares.set(input.key, window);
      } else {
        window.resize(input.capacity);
      }
      window.record(input.remote);
      return { share: window.share, size: window.size };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
