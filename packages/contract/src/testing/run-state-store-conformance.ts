import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore, StateStoreEvent } from '../state-store.js';

/** Options for {@link runStateStoreConformance}. */
export interface StateStoreConformanceOptions {
  /** Shown in the test names, e.g. `store-redis against redis-server`. */
  name: string;
  /** Creates the store under test; called once for the whole suite. */
  createStore: () => StateStore | Promise<StateStore>;
  /**
   * A second store sharing the first one's backend, as another replica would (for the memory store: the same
   * instance). Used to check that circuit changes reach other replicas' subscribers.
   */
  createPeer?: (store: StateStore) => StateStore | Promise<StateStore>;
  /** How long to wait for a peer to hear a circuit change (ms, default 1000: the documented propagation bound). */
  propagationMs?: number;
}

const hour = 3_600_000;

/**
 * The behaviour every `StateStore` must show: atomic budget reservations under concurrency, settle / release / expiry,
 * circuits that only ever extend, counters, the remote-share window and change notifications. Registers a vitest
 * `describe` block; each check uses its own keys, so a store shared with other data is fine.
 *
 * @example
 * ```ts
 * import { runStateStoreConformance } from '@switchyard/contract/testing';
 * runStateStoreConformance({ name: 'my store', createStore: () => createMyStore({ ... }) });
 * ```
 */
export function runStateStoreConformance(options: StateStoreConformanceOptions): void {
  const propagationMs = options.propagationMs ?? 1000;

  describe(`StateStore conformance: ${options.name}`, () => {
    let store: StateStore;
    let peer: StateStore;
    const key = (name: string) => `conformance:${globalThis.crypto.randomUUID()}:${name}`;

    beforeAll(async () => {
      store = await options.createStore();
      peer = options.createPeer ? await options.createPeer(store) : store;
    });
    afterAll(async () => {
      if (peer && peer !== store) await peer.close();
      await store?.close();
    });

    it('grants a reservation that fits under the limit and refuses one that does not', async () => {
      const budget = key('budget');
      const reserve = (reservationId: string, amountUsd: number) =>
        store.reserveBudget({
          key: budget,
          reservationId,
          amountUsd,
          limitUsd: 1,
          reservationTtlMs: hour,
          keyTtlMs: hour,
        });
      expect(await reserve('a', 0.6)).toEqual({ granted: true, spentUsd: 0, reservedUsd: 0.6 });
      expect(await reserve('b', 0.5)).toEqual({ granted: false, spentUsd: 0, reservedUsd: 0.6 });
      expect(await reserve('c', 0.4)).toMatchObject({ granted: true });
      expect(await store.readBudget(budget)).toEqual({ spentUsd: 0, reservedUsd: 1 });
    });

    it('settles a reservation to the real cost and releases one without spending', async () => {
      const budget = key('budget');
      const common = { key: budget, limitUsd: 10, reservationTtlMs: hour, keyTtlMs: hour };
      await store.reserveBudget({ ...common, reservationId: 'a', amountUsd: 2 });
      await store.reserveBudget({ ...common, reservationId: 'b', amountUsd: 3 });
      expect(await store.settleBudget({ key: budget, reservationId: 'a', actualUsd: 1.25, keyTtlMs: hour })).toEqual({
        spentUsd: 1.25,
        reservedUsd: 3,
      });
      expect(await store.releaseBudget({ key: budget, reservationId: 'b' })).toEqual({
        spentUsd: 1.25,
        reservedUsd: 0,
      });
      // Released twice, or never reserved: nothing changes.
      expect(await store.releaseBudget({ key: budget, reservationId: 'b' })).toEqual({
        spentUsd: 1.25,
        reservedUsd: 0,
      });
      // Settling an unknown (expired) reservation still records the spend: nothing is lost.
      expect(await store.settleBudget({ key: budget, reservationId: 'gone', actualUsd: 0.75, keyTtlMs: hour })).toEqual(
        {
          spentUsd: 2,
          reservedUsd: 0,
        },
      );
      expect(await store.readBudget(key('untouched'))).toEqual({ spentUsd: 0, reservedUsd: 0 });
    });

    it('grants exactly as many of 200 concurrent reservations as the limit holds', async () => {
      const budget = key('budget');
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          store.reserveBudget({
            key: budget,
            reservationId: `r${index}`,
            amountUsd: 0.25,
            limitUsd: 12.5,
            reservationTtlMs: hour,
            keyTtlMs: hour,
          }),
        ),
      );
      expect(results.filter((result) => result.granted)).toHaveLength(50);
      expect(await store.readBudget(budget)).toEqual({ spentUsd: 0, reservedUsd: 12.5 });
    });

    it('lets an unsettled reservation expire after its TTL (a replica that died mid-request)', async () => {
      const budget = key('budget');
      await store.reserveBudget({
        key: budget,
        reservationId: 'a',
        amountUsd: 1,
        limitUsd: 1,
        reservationTtlMs: 100,
        keyTtlMs: hour,
      });
      await sleep(300);
      expect(await store.readBudget(budget)).toEqual({ spentUsd: 0, reservedUsd: 0 });
      const again = await store.reserveBudget({
        key: budget,
        reservationId: 'b',
        amountUsd: 1,
        limitUsd: 1,
        reservationTtlMs: hour,
        keyTtlMs: hour,
      });
      expect(again.granted).toBe(true);
    });

    it('extends a circuit cooldown and never shortens it', async () => {
      const circuit = key('circuit');
      const now = Date.now();
      expect(await store.readCircuit(circuit)).toBeUndefined();
      expect(await store.openCircuit({ key: circuit, untilMs: now + 60_000 })).toBe(now + 60_000);
      expect(await store.openCircuit({ key: circuit, untilMs: now + 30_000 })).toBe(now + 60_000);
      expect(await store.readCircuit(circuit)).toBe(now + 60_000);
      expect(await store.openCircuit({ key: circuit, untilMs: now + 90_000 })).toBe(now + 90_000);
      await store.closeCircuit(circuit);
      expect(await store.readCircuit(circuit)).toBeUndefined();
    });

    it('reads a circuit as closed once its cooldown is over', async () => {
      const circuit = key('circuit');
      await store.openCircuit({ key: circuit, untilMs: Date.now() + 100 });
      await sleep(300);
      expect(await store.readCircuit(circuit)).toBeUndefined();
    });

    it('tells subscribers of another replica when a circuit opens and closes', async () => {
      const circuit = key('circuit');
      const heard: StateStoreEvent[] = [];
      const unsubscribe = peer.subscribe((event) => {
        if (event.type === 'circuit' && event.key === circuit) heard.push(event);
      });
      try {
        // A subscription over a network may take a moment to be in place; it is in place once the first event arrives.
        const until = Date.now() + 60_000;
        await store.openCircuit({ key: circuit, untilMs: until });
        await waitFor(() => heard.length >= 1, propagationMs);
        expect(heard[0]).toEqual({ type: 'circuit', key: circuit, openUntilMs: until });
        await store.closeCircuit(circuit);
        await waitFor(() => heard.length >= 2, propagationMs);
        expect(heard[1]).toEqual({ type: 'circuit', key: circuit, openUntilMs: undefined });
      } finally {
        unsubscribe();
      }
    });

    it('counts in a fixed window and starts again when it ends', async () => {
      const counter = key('counter');
      const first = await store.incrementCounter({ key: counter, amount: 1, windowMs: 200 });
      expect(first.count).toBe(1);
      expect(first.resetAtMs).toBeGreaterThan(Date.now() - 1000);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.incrementCounter({ key: counter, amount: 5, windowMs: 200 })),
      );
      expect(Math.max(...results.map((result) => result.count))).toBe(101);
      expect(new Set(results.map((result) => result.count)).size).toBe(20);
      await sleep(400);
      expect((await store.incrementCounter({ key: counter, amount: 2, windowMs: 200 })).count).toBe(2);
    });

    it('keeps the remote share over the last `capacity` requests', async () => {
      const window = key('share');
      const record = (remote: boolean) => store.recordRemoteShare({ key: window, remote, capacity: 4 });
      expect(await record(true)).toEqual({ share: 1, size: 1 });
      expect(await record(false)).toEqual({ share: 0.5, size: 2 });
      await record(false);
      await record(false);
      expect(await record(false)).toEqual({ share: 0, size: 4 });
      expect(await record(true)).toEqual({ share: 0.25, size: 4 });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`not observed within ${withinMs} ms`);
    await sleep(5);
  }
}
