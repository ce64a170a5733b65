import { createHash } from 'node:crypto';
import { createClient, createCluster, createSentinel, ErrorReply } from '@redis/client';
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
import { BudgetExceededError } from '@switchyard/contract';
import { createMemoryStateStore } from '@switchyard/core';
import {
  closeCircuitScript,
  counterScript,
  leaveScript,
  openCircuitScript,
  presenceScript,
  readBudgetScript,
  releaseScript,
  remoteShareScript,
  reserveScript,
  settleScript,
} from './lua-scripts.js';
import { parseRedisStateStoreSettings } from './parse-redis-state-store-settings.js';
import type { RedisStateStoreSettings } from './redis-state-store-settings.js';

/** A `StateStore` on Redis; `shared` says whether it currently reaches Redis (false: serving on local state). */
export interface RedisStateStore extends StateStore {
  readonly shared: boolean;
  /**
   * How many replicas (stores with this `keyPrefix`) Redis last reported alive, this one included: each announces
   * itself every second and counts as gone after five silent seconds. While Redis is away, each replica may hold only
   * its share (1 / replicas) of the budget remainder it last saw, so together they stay within the budget.
   */
  readonly replicas: number;
}

/** What the store needs from node-redis's client, cluster and sentinel objects alike. */
interface RedisHandle {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  on(event: 'error' | 'ready', listener: (error?: Error) => void): unknown;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  get(key: string): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
}

interface Script {
  source: string;
  sha: string;
}
const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const scripts = {
  reserve: script(reserveScript),
  settle: script(settleScript),
  release: script(releaseScript),
  readBudget: script(readBudgetScript),
  openCircuit: script(openCircuitScript),
  closeCircuit: script(closeCircuitScript),
  counter: script(counterScript),
  remoteShare: script(remoteShareScript),
  presence: script(presenceScript),
  leave: script(leaveScript),
};
/** How often a replica announces itself, and how long after its last announcement it still counts as alive. */
const presenceEveryMs = 1000;
const presenceTtlMs = 5000;

/**
 * A `StateStore` on Redis or Valkey — standalone, Cluster or Sentinel — so router and gateway replicas share budgets,
 * circuits, rate limits and the remote-share window. Every operation is one Lua script on one key (atomic in Redis,
 * never a read-modify-write from here); circuit changes reach the other replicas by pub/sub.
 *
 * When Redis is unreachable the store keeps serving on this replica's local state (a `degraded` event says so):
 * budget holds are checked against this replica's share of the remainder it last saw in Redis (the remainder divided
 * by the replicas Redis last counted, so that together they stay within the budget; refused, with a
 * `BudgetExceededError`, for a period whose spend it never read: a replica started during the outage), and settles, releases and circuit changes
 * made meanwhile are queued and written to Redis when it is back (then a `restored` event). Rate-limit counters and the
 * remote-share window count locally during the outage and are not merged back.
 *
 * @example
 * ```ts
 * import { createRouter } from '@switchyard/core';
 * import { createRedisStateStore } from '@switchyard/store-redis';
 *
 * const store = await createRedisStateStore({ url: 'redis://127.0.0.1:6379' });
 * const router = createRouter({ targets, policy: { budget: { maxCostUsd: { amount: 20, period: 'day' } } }, store });
 * // … every replica built the same way shares the $20 a day and every open circuit.
 * await router.dispose();
 * await store.close();
 * ```
 */
export async function createRedisStateStore(settings: RedisStateStoreSettings): Promise<RedisStateStore> {
  const options = parseRedisStateStoreSettings(settings);
  const prefix = options.keyPrefix;
  const channel = `${prefix}events`;
  const listeners = new Set<(event: StateStoreEvent) => void>();
  const emit = (event: StateStoreEvent) => {
    for (const listener of listeners) listener(event);
  };

  // Local state for outages. Only written while Redis is away, so its circuit events are this replica's own.
  let local = createMemoryStateStore();
  let unsubscribeLocal = local.subscribe((event) => emit(event));
  /** Reservations taken on local state (`key\nid`): their settle goes there, and their spend to Redis. */
  const localReservations = new Map<string, BudgetReserveInput>();
  /** Spend plus holds Redis last reported per budget key: the base a local hold is checked against. */
  const lastUsed = new Map<string, number>();
  /** The budget key this replica used last: the current period's. */
  let lastKey: string | undefined;
  /** Writes made during an outage, replayed in order once Redis is back. */
  const pending: Array<() => Promise<unknown>> = [];

  const { client, subscriber } = connectHandles(options);
  let shared = false;
  let closed = false;
  let degradedMessage = 'Redis is not connected yet';
  let restoring: Promise<void> | undefined;

  const onMessage = (message: string) => {
    try {
      const parsed = JSON.parse(message) as { key: string; openUntilMs: number | null };
      emit({ type: 'circuit', key: parsed.key, openUntilMs: parsed.openUntilMs ?? undefined });
    } catch {
      // Not ours (someone else publishing on the channel): ignore.
    }
  };
  const connected = Promise.all([client.connect(), subscriber === client ? undefined : subscriber.connect()]).then(() =>
    subscriber.subscribe(channel, onMessage),
  );
  connected.catch(() => undefined);

  const key = (name: string) => prefix + name;
  const evaluate = async (which: Script, keys: string[], args: string[]): Promise<unknown> => {
    try {
      return await client.evalSha(which.sha, { keys, arguments: args });
    } catch (error) {
      if (error instanceof ErrorReply && error.message.startsWith('NOSCRIPT')) {
        return client.eval(which.source, { keys, arguments: args });
      }
      throw error;
    }
  };
  /** Writes a hold granted on local state into Redis as it is, whatever the limit (it was granted already). */
  const adopt = (input: BudgetReserveInput) =>
    evaluate(
      scripts.reserve,
      [key(input.key)],
      [input.reservationId, String(input.amountUsd), '1e308', String(input.reservationTtlMs), String(input.keyTtlMs)],
    );
  const degrade = (reason: string) => {
    if (!shared || closed) return;
    shared = false;
    degradedMessage = `${reason}; serving on this replica's local state until Redis is back`;
    emit({ type: 'degraded', message: degradedMessage });
  };
  const restore = (): Promise<void> => {
    restoring ??= (async () => {
      try {
        await connected;
        // A connection can be "ready" to a Redis that does not answer (stopped, overloaded): check with a real read.
        await withTimeout(evaluate(scripts.readBudget, [`${prefix}health-check`], []), options.operationTimeoutMs);
        // Holds taken on local state and still open are written to Redis, so the other replicas count them too (their
        // settle or release, queued below or made later, removes them there). Before the queue: what it holds for one
        // of them runs after it.
        for (const [name, input] of [...localReservations]) {
          if (closed || !localReservations.has(name)) continue;
          await withTimeout(adopt(input), options.operationTimeoutMs);
        }
        while (pending.length > 0 && !closed) {
          await withTimeout(pending[0]!(), options.operationTimeoutMs);
          pending.shift();
        }
        if (closed || shared) return;
        shared = true;
        // A fresh local state for the next outage: what this one recorded is now in Redis.
        unsubscribeLocal();
        local = createMemoryStateStore();
        unsubscribeLocal = local.subscribe((event) => emit(event));
        emit({ type: 'restored', message: 'Redis is reachable again; state is shared across replicas again' });
      } catch {
        // Still away: the next ready event or operation tries again.
      } finally {
        restoring = undefined;
      }
    })();
    return restoring;
  };
  client.on('error', (error) => degrade(`Redis connection failed (${error?.message ?? 'unknown error'})`));
  client.on('ready', () => {
    if (!shared) void restore();
  });
  if (subscriber !== client) subscriber.on('error', () => undefined);

  const started = await Promise.race([
    connected.then(
      () => true,
      () => false,
    ),
    delay(options.connectTimeoutMs).then(() => false),
  ]);
  if (started) shared = true;
  else
    degradedMessage = `Redis did not answer within ${options.connectTimeoutMs} ms; serving on local state until it does`;

  /** Runs `remote` on Redis, or `fallback` on local state when Redis is away or fails to answer in time. */
  const run = async <T>(remote: () => Promise<T>, fallback: (sent?: boolean) => Promise<T>): Promise<T> => {
    if (closed) throw new Error('The Redis state store is closed');
    if (!shared) {
      if (client.isReady && restoring === undefined) void restore();
      return fallback();
    }
    try {
      return await withTimeout(remote(), options.operationTimeoutMs);
    } catch (error) {
      // A script error is a bug to report, not an outage.
      if (error instanceof ErrorReply) throw error;
      degrade(`Redis operation failed (${error instanceof Error ? error.message : String(error)})`);
      // A command that timed out was sent: Redis may still run it (a frozen or overloaded server catches up).
      return fallback(error instanceof NoAnswerError);
    }
  };

  /** Parses a budget script's answer and remembers it; `used` (an operation, not the timer's re-read) marks the key. */
  const budgetReply = (name: string, reply: unknown, used = true): BudgetState => {
    const [spent, reserved] = reply as [string, string];
    const state = { spentUsd: Number(spent), reservedUsd: Number(reserved) };
    lastUsed.set(name, state.spentUsd + state.reservedUsd);
    if (used) lastKey = name;
    return state;
  };
  const localBudget = async (name: string): Promise<BudgetState> => {
    const state = await local.readBudget(name);
    return { spentUsd: state.spentUsd + (lastUsed.get(name) ?? 0), reservedUsd: state.reservedUsd };
  };
  const remoteSettle = async (input: BudgetSettleInput, onlyIfHeld = false) =>
    budgetReply(
      input.key,
      await evaluate(
        scripts.settle,
        [key(input.key)],
        [input.reservationId, String(input.actualUsd), String(input.keyTtlMs), onlyIfHeld ? '1' : '0'],
      ),
    );
  const remoteRelease = async (input: BudgetReleaseInput) =>
    budgetReply(input.key, await evaluate(scripts.release, [key(input.key)], [input.reservationId]));
  const remoteOpen = async (input: OpenCircuitInput) =>
    Number(
      await evaluate(scripts.openCircuit, [key(input.key)], [String(Math.round(input.untilMs)), channel, input.key]),
    );
  const remoteClose = async (name: string) => {
    await evaluate(scripts.closeCircuit, [key(name)], [channel, name]);
  };
  const tag = (input: { key: string; reservationId: string }) => `${input.key}\n${input.reservationId}`;

  // Replicas count themselves in Redis, so that during an outage each may spend only its share of the remainder: with
  // the whole remainder each, N replicas overspent by up to (N - 1) times it. The same timer re-reads the budgets this
  // replica uses, so the remainder it falls back on is at most a second old even when it has served nothing for hours
  // (it used to be its own last request's). A timer, not part of any request.
  const replicaId = globalThis.crypto.randomUUID();
  let replicas = 1;
  let announcing = false;
  const announce = async () => {
    if (!shared || closed || announcing) return;
    announcing = true;
    try {
      const count = await withTimeout(
        evaluate(scripts.presence, [key('replicas')], [replicaId, String(presenceTtlMs)]),
        presenceEveryMs,
      );
      for (const name of [...lastUsed.keys()]) {
        const state = budgetReply(
          name,
          await withTimeout(evaluate(scripts.readBudget, [key(name)], []), presenceEveryMs),
          false,
        );
        // A past period's record expired in Redis: stop reading it (the current one is read on its next use).
        if (state.spentUsd === 0 && state.reservedUsd === 0 && name !== lastKey) lastUsed.delete(name);
      }
      if (shared) replicas = Math.max(1, Number(count));
    } catch {
      // Redis is slow or away: the operations notice and say so; the next tick tries again.
    } finally {
      announcing = false;
    }
  };
  void announce();
  const presenceTimer = setInterval(announce, presenceEveryMs);
  presenceTimer.unref?.();

  return {
    kind: 'redis',
    get shared() {
      return shared;
    },
    get replicas() {
      return replicas;
    },
    reserveBudget(input: BudgetReserveInput): Promise<BudgetReservation> {
      return run(
        async () => {
          const reply = (await evaluate(
            scripts.reserve,
            [key(input.key)],
            [
              input.reservationId,
              String(input.amountUsd),
              String(input.limitUsd),
              String(input.reservationTtlMs),
              String(input.keyTtlMs),
            ],
          )) as [number, string, string];
          const state = budgetReply(input.key, [reply[1], reply[2]]);
          return { granted: reply[0] === 1, ...state };
        },
        async () => {
          const base = lastUsed.get(input.key);
          // This replica never heard Redis's figure for this period (it started, or the period began, while Redis was
          // away): the remainder is unknown, and granting the whole budget would let every such replica spend it again.
          if (base === undefined) throw unknownSpend(input);
          const share = Math.max(0, input.limitUsd - base) / replicas;
          const answer = await local.reserveBudget({ ...input, limitUsd: share });
          // Said here: the router's own message ("$9 of $10 spent or held") would not add up to a refusal.
          if (!answer.granted) throw shareUsed(input, base, share, replicas, answer);
          localReservations.set(tag(input), input);
          return { ...answer, spentUsd: answer.spentUsd + base };
        },
      );
    },
    async settleBudget(input: BudgetSettleInput): Promise<BudgetState> {
      const wasLocal = localReservations.delete(tag(input));
      if (wasLocal) await local.settleBudget(input);
      return run(
        () => remoteSettle(input),
        async (sent) => {
          // A hold Redis granted whose settle was sent but not answered: replayed, it counts only if that settle never
          // ran (the hold is still there). A hold taken on local state may never have reached Redis: always counted.
          pending.push(() => remoteSettle(input, sent === true && !wasLocal));
          if (!wasLocal) await local.settleBudget(input);
          return localBudget(input.key);
        },
      );
    },
    async releaseBudget(input: BudgetReleaseInput): Promise<BudgetState> {
      if (localReservations.delete(tag(input))) {
        await local.releaseBudget(input);
        return shared
          ? run(
              () => remoteRelease(input),
              () => localBudget(input.key),
            )
          : localBudget(input.key);
      }
      return run(
        () => remoteRelease(input),
        async () => {
          pending.push(() => remoteRelease(input));
          return localBudget(input.key);
        },
      );
    },
    readBudget(name: string): Promise<BudgetState> {
      return run(
        async () => budgetReply(name, await evaluate(scripts.readBudget, [key(name)], [])),
        () => localBudget(name),
      );
    },
    openCircuit(input: OpenCircuitInput): Promise<number> {
      return run(
        () => remoteOpen(input),
        () => {
          pending.push(() => remoteOpen(input));
          return local.openCircuit(input);
        },
      );
    },
    closeCircuit(name: string): Promise<void> {
      return run(
        () => remoteClose(name),
        () => {
          pending.push(() => remoteClose(name));
          return local.closeCircuit(name);
        },
      );
    },
    readCircuit(name: string): Promise<number | undefined> {
      return run(
        async () => {
          const value = await client.get(key(name));
          const until = value === null || value === undefined ? undefined : Number(value);
          return until !== undefined && until > Date.now() ? until : undefined;
        },
        () => local.readCircuit(name),
      );
    },
    incrementCounter(input: CounterInput): Promise<CounterState> {
      return run(
        async () => {
          const [count, resetAt] = (await evaluate(
            scripts.counter,
            [key(input.key)],
            [String(input.amount), String(input.windowMs)],
          )) as [string, string];
          return { count: Number(count), resetAtMs: Number(resetAt) };
        },
        () => local.incrementCounter(input),
      );
    },
    recordRemoteShare(input: RemoteShareInput): Promise<RemoteShareState> {
      return run(
        async () => {
          const [share, size] = (await evaluate(
            scripts.remoteShare,
            [key(input.key)],
            [input.remote ? '1' : '0', String(input.capacity), String(options.remoteShareTtlMs)],
          )) as [string, number];
          return { share: Number(share), size: Number(size) };
        },
        () => local.recordRemoteShare(input),
      );
    },
    subscribe(listener) {
      listeners.add(listener);
      // A subscriber that arrives while Redis is away hears so, as it would have had it been there earlier.
      if (!shared && !closed) queueMicrotask(() => listener({ type: 'degraded', message: degradedMessage }));
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(presenceTimer);
      if (shared) {
        await withTimeout(evaluate(scripts.leave, [key('replicas')], [replicaId]), options.operationTimeoutMs).catch(
          () => undefined,
        );
      }
      listeners.clear();
      unsubscribeLocal();
      await local.close();
      for (const handle of subscriber === client ? [client] : [subscriber, client]) {
        if (handle.isReady) await handle.close().catch(() => handle.destroy());
        else handle.destroy();
      }
    },
  };
}

function connectHandles(options: ReturnType<typeof parseRedisStateStoreSettings>): {
  client: RedisHandle;
  subscriber: RedisHandle;
} {
  const socket = {
    connectTimeout: options.connectTimeoutMs,
    // Quick first retries, then at most every maxReconnectDelayMs: a Redis that is back is used again within that.
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, options.maxReconnectDelayMs),
  };
  // Without the offline queue a command fails at once while the connection is down, so the store falls back to local
  // state instead of waiting for Redis.
  const common = { socket, disableOfflineQueue: true };
  const connection = options.connection;
  if ('url' in connection) {
    const client = createClient({ url: connection.url, ...common });
    return { client: client as unknown as RedisHandle, subscriber: client.duplicate() as unknown as RedisHandle };
  }
  if ('cluster' in connection) {
    const cluster = createCluster({
      rootNodes: connection.cluster.rootNodes,
      defaults: { ...common, ...(connection.cluster.password ? { password: connection.cluster.password } : {}) },
    });
    // The cluster object keeps its own pub/sub connection.
    return { client: cluster as unknown as RedisHandle, subscriber: cluster as unknown as RedisHandle };
  }
  const sentinel = createSentinel({
    name: connection.sentinel.name,
    sentinelRootNodes: connection.sentinel.sentinels,
    nodeClientOptions: {
      ...common,
      ...(connection.sentinel.password ? { password: connection.sentinel.password } : {}),
    },
  });
  return { client: sentinel as unknown as RedisHandle, subscriber: sentinel as unknown as RedisHandle };
}

/** The refusal of a hold whose period's spend this replica never read from Redis. */
function unknownSpend(input: BudgetReserveInput): BudgetExceededError {
  return new BudgetExceededError({
    scope: 'period',
    limitUsd: input.limitUsd,
    // Unknown: counted as all spent, which is what the refusal does.
    spentUsd: input.limitUsd,
    message:
      "Budget not checkable: Redis is unreachable and this replica has not read this period's spend from it yet, so " +
      `holds on the period budget of $${input.limitUsd} are refused until Redis answers (a local target still serves). ` +
      'Bring Redis back, or allow a local target.',
  });
}

/** The refusal of a hold that does not fit this replica's share of the remainder while Redis is away. */
function shareUsed(
  input: BudgetReserveInput,
  base: number,
  share: number,
  replicas: number,
  local: BudgetState,
): BudgetExceededError {
  const here = local.spentUsd + local.reservedUsd;
  return new BudgetExceededError({
    scope: 'period',
    limitUsd: input.limitUsd,
    spentUsd: base + here,
    message:
      `Budget exceeded while Redis is unreachable: of the period budget of $${usd(input.limitUsd)}, ` +
      `$${usd(Math.max(0, input.limitUsd - base))} was left when Redis went away, shared by ${replicas} ` +
      `replica(s); this replica's $${usd(share)} share has $${usd(here)} spent or held, and this hold of ` +
      `$${usd(input.amountUsd)} does not fit. Bring Redis back, or allow a local target.`,
  });
}

function usd(amount: number): string {
  return amount.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Redis did not answer a command in time; it may still run it. */
class NoAnswerError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new NoAnswerError(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
