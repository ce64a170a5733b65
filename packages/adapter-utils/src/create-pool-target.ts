import type { GenerateResult, StreamPart, Target, TargetCall, TargetStatus } from '@switchyard/contract';
import {
  AbortError,
  InvalidConfigError,
  longestTimerMessage,
  longestTimerMs,
  SwitchyardError,
  toSwitchyardError,
} from '@switchyard/contract';
import * as z from 'zod/mini';
import { collectAnswer } from './collect-answer.js';
import { parseSettings } from './parse-settings.js';
import { positiveWholeNumberSchema, targetIdSchema } from './settings-fields.js';

/** Settings of {@link createPoolTarget}. */
export interface PoolTargetSettings {
  /** The replicas: equal targets (same model and capabilities) on different endpoints, by name. At least one. */
  replicas: Record<string, Target>;
  /** Shown as the pool's id. Default `pool:<first replica's id>`. */
  id?: string;
  /**
   * Send a conversation to the replica it used before while that replica is healthy and not much busier than the
   * least busy one, so its prefix (KV) cache stays warm. The conversation is recognised by its system message and first
   * user message. Default true.
   */
  sticky?: boolean;
  /** How many more requests in flight than the least busy replica a sticky replica may have. Default 4. */
  stickySlack?: number;
  /** Failures within `windowMs` that take a replica out. Default 3. */
  failureThreshold?: number;
  windowMs?: number;
  /** How long a failed replica stays out before one trial request (or a good probe) lets it back. Default 10 000. */
  cooldownMs?: number;
  /** How often replicas that are out are probed with their `checkStatus()` (when they have one). Default 2000. */
  probeIntervalMs?: number;
}

/**
 * Each failure keeps its time in the window until `failureThreshold` of them take the replica out, so a huge threshold
 * costs memory and a scan per failure; core's `execution.circuit.failureThreshold` has the same bound.
 */
const mostFailures = 1000;
const timerMs = () => positiveWholeNumberSchema('milliseconds').check(z.lte(longestTimerMs, longestTimerMessage));
const replicaSchema = z.custom<Target>((value) => {
  const target = value as Partial<Target> | null;
  return (
    typeof target?.stream === 'function' &&
    typeof target.generate === 'function' &&
    typeof target.status === 'function' &&
    (target.locality === 'local' || target.locality === 'remote')
  );
}, 'expected a target from an adapter factory (status(), generate(), stream(), locality), e.g. createOpenAITarget({ … })');

/** The settings, strictly: a typo (`failureTreshold`) is named with the setting it is probably a typo of. */
const poolSettingsSchema = z.strictObject({
  replicas: z.record(z.string(), replicaSchema),
  id: z.optional(targetIdSchema()),
  sticky: z.optional(z.boolean()),
  stickySlack: z.optional(
    z.number('expected a whole number of requests, 0 or more, e.g. 4').check(z.int(), z.nonnegative()),
  ),
  failureThreshold: z.optional(
    positiveWholeNumberSchema('failures').check(
      z.lte(mostFailures, `expected at most ${mostFailures} (each failure keeps its time in the window)`),
    ),
  ),
  windowMs: z.optional(positiveWholeNumberSchema('milliseconds')),
  cooldownMs: z.optional(timerMs()),
  probeIntervalMs: z.optional(timerMs()),
});

/** Live figures of one replica, as `pool.replicaStats()` returns them. */
export interface PoolReplicaStats {
  inFlight: number;
  requests: number;
  failures: number;
  /**
   * Exponentially weighted time to first token (ms); a sample's weight in it fades with its age (time constant 1 s),
   * and it starts afresh when the replica comes back from being out. A whole answer (`generate()` on replicas that declare
   * `wholeAnswers`) has no first token: it adds its duration less its output tokens decoded at the locality's prior
   * rate (20 tokens/s local, 80 remote), floored at 0.
   */
  ttftMsEwma: number | undefined;
  /** `out` while its circuit is open or its own status is `unavailable`; `trial` when its cooldown is over. */
  state: 'in' | 'out' | 'trial';
}

/** A target over several replicas; `replicaStats()` shows how load was spread. */
export interface PoolTarget extends Target {
  replicaStats(): Record<string, PoolReplicaStats>;
}

const alpha = 0.2;

/**
 * How fast a replica's latency average fades while nothing new is learned about it (ms, time constant): read after
 * `age` ms without a sample, it counts as `average × e^(−age / latencyFadeMs)`. Without it a replica that answered
 * slowly once (a cold connection, a GC pause, a loaded moment) ranked last, got no more requests, so nothing could
 * correct its average, and it stayed starved: bench row 14 saw 592 / 3 / 5 of 600 requests on three equal replicas
 * on a loaded machine. Fading towards zero (as peak-EWMA balancers do) makes an unmeasured replica look better the
 * longer it waits, so it is tried again and measured afresh; replicas in use are measured all the time and keep
 * their averages. One second: short against a starved replica's wait, long against a busy pool's gaps between answers.
 */
const latencyFadeMs = 1000;

/**
 * The decode rate (tokens/s) a whole answer's output is assumed to take: core's locality priors (`latencyPriors` in
 * packages/core/src/decision/plan-route.ts), repeated here because adapter-utils cannot import core. The pool measures
 * no rate of its own (its streams time only the first token).
 */
const priorTokensPerSecond = { local: 20, remote: 80 } as const;

class Replica {
  inFlight = 0;
  requests = 0;
  failures = 0;
  ttftMsEwma: number | undefined;
  /** When `ttftMsEwma` last learned something (Date.now()). */
  #sampledAt = 0;
  /** Set while the replica's own status says unavailable: what it measured before says little once it is back. */
  #wasUnavailable = false;
  #failureTimes: number[] = [];
  #outUntil = 0;
  #trial = false;

  constructor(
    readonly name: string,
    readonly target: Target,
  ) {}

  /** In rotation: healthy circuit and a status that is not unavailable. */
  usable(now: number): boolean {
    if (this.target.status().state === 'unavailable') {
      this.#wasUnavailable = true;
      return false;
    }
    if (this.#wasUnavailable) {
      this.#wasUnavailable = false;
      this.#forgetLatency();
    }
    if (this.#outUntil === 0) return true;
    return now >= this.#outUntil && !this.#trial;
  }

  state(now: number): PoolReplicaStats['state'] {
    if (this.target.status().state === 'unavailable') return 'out';
    if (this.#outUntil === 0) return 'in';
    return now >= this.#outUntil ? 'trial' : 'out';
  }

  get out(): boolean {
    return this.#outUntil !== 0;
  }

  begin(now: number): void {
    this.requests += 1;
    this.inFlight += 1;
    if (this.#outUntil !== 0 && now >= this.#outUntil) this.#trial = true;
  }

  /**
   * Learns a TTFT sample. The average keeps `1 − alpha` of what it knew for a sample right after the last one, less
   * the longer ago that was (the same time constant as the ranking's fade): after a long wait the new sample counts
   * almost alone, so a replica tried again after being starved ranks by what it does now.
   */
  firstToken(ms: number, now: number): void {
    const average = this.ttftMsEwma;
    const keep = (1 - alpha) * Math.exp(-Math.max(0, now - this.#sampledAt) / latencyFadeMs);
    this.ttftMsEwma = average === undefined ? ms : ms + keep * (average - ms);
    this.#sampledAt = now;
  }

  /** The latency average as the ranking reads it at `now`: faded by the time since it last learned (latencyFadeMs). */
  latency(now: number): number | undefined {
    const average = this.ttftMsEwma;
    if (average === undefined) return undefined;
    const age = now - this.#sampledAt;
    return age <= 0 ? average : average * Math.exp(-age / latencyFadeMs);
  }

  /** A replica back from being out (its circuit, or its own status) starts without a latency average. */
  #forgetLatency(): void {
    this.ttftMsEwma = undefined;
  }

  /**
   * Learns from a whole answer, which has no first token to time: the same rule as core's
   * `TargetHealth.recordWholeAnswer` (packages/core/src/execution/target-health.ts). Its duration is TTFT + decode, so
   * the time left after decoding `outputTokens` at `tokensPerSecond` counts as a TTFT sample, never below 0: a slow
   * replica loses its rank, and a fast replica's long answer is not counted as waiting time.
   */
  wholeAnswer(durationMs: number, outputTokens: number, tokensPerSecond: number, now: number): void {
    this.firstToken(Math.max(0, durationMs - (outputTokens / tokensPerSecond) * 1000), now);
  }

  succeed(): void {
    this.inFlight -= 1;
    if (this.#outUntil !== 0) this.#forgetLatency();
    this.#failureTimes = [];
    this.#outUntil = 0;
    this.#trial = false;
  }

  /** An abort says nothing about the replica. */
  release(): void {
    this.inFlight -= 1;
    this.#trial = false;
  }

  fail(
    now: number,
    settings: Required<Pick<PoolTargetSettings, 'failureThreshold' | 'windowMs' | 'cooldownMs'>>,
  ): void {
    this.inFlight -= 1;
    this.failures += 1;
    if (this.#trial || this.#outUntil !== 0) {
      this.#trial = false;
      this.#outUntil = now + settings.cooldownMs;
      return;
    }
    this.#failureTimes = this.#failureTimes.filter((time) => time > now - settings.windowMs);
    this.#failureTimes.push(now);
    if (this.#failureTimes.length >= settings.failureThreshold) this.#outUntil = now + settings.cooldownMs;
  }

  /** A probe found it healthy: let it back in now. */
  readmit(): void {
    this.#forgetLatency();
    this.#failureTimes = [];
    this.#outUntil = 0;
    this.#trial = false;
  }
}

/** FNV-1a over a string: a cheap, stable hash for rendezvous hashing (not for security). */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

function textOf(content: TargetCall['messages'][number]['content']): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The conversation a call belongs to: its system message and first user message, which every later turn repeats. */
function conversationKey(call: TargetCall): string | undefined {
  const system = call.messages.find((message) => message.role === 'system');
  const firstUser = call.messages.find((message) => message.role === 'user');
  if (firstUser === undefined) return undefined;
  return `${system ? textOf(system.content) : ''}\u0000${textOf(firstUser.content)}`;
}

/**
 * One target over several equal replicas (for example vLLM or llama-server behind no load balancer). Each call goes to
 * the replica with the fewest requests in flight, weighted by its measured time to first token (for a whole answer,
 * its duration less the output's decode time at the locality's prior rate), except that a
 * conversation sticks to the replica it used (rendezvous hashing, so only a dead replica's conversations move) while
 * that one is healthy and not much busier. A replica that fails `failureThreshold` times in `windowMs` is taken out
 * for `cooldownMs` (or until a probe finds it ready), and a call that fails before its first token is retried on the
 * next replica, so one dead replica costs no request. Output is never replayed: a failure after the first token is
 * thrown to the router, which handles it as any target's.
 *
 * For a fleet behind a cluster router (Kubernetes Gateway API Inference Extension InferencePool, NVIDIA Dynamo,
 * llm-d) point one ordinary target at that router instead: it schedules on KV-cache state, which this pool does not.
 *
 * The settings are checked at once: an unknown one is an `InvalidConfigError` naming the setting it is probably a typo
 * of (`failureTreshold` → `failureThreshold`), a replica that is not a target, a count or duration that is not a
 * positive whole number, a `failureThreshold` above 1000 or a timer longer than a timer can wait is named too.
 *
 * @example
 * ```ts
 * const gpu = createPoolTarget({
 *   replicas: {
 *     a: createOpenAITarget({ baseURL: 'http://10.0.0.5:8000/v1', model: 'llama' }),
 *     b: createOpenAITarget({ baseURL: 'http://10.0.0.6:8000/v1', model: 'llama' }),
 *   },
 * });
 * const router = createRouter({ targets: { device, gpu } });
 * ```
 */
export function createPoolTarget(settings: PoolTargetSettings): PoolTarget {
  parseSettings(poolSettingsSchema, settings);
  const entries = Object.entries(settings.replicas);
  if (entries.length === 0) {
    throw new InvalidConfigError({
      problems: [{ path: 'replicas', message: 'expected at least one replica, e.g. { a: targetA, b: targetB }' }],
    });
  }
  const replicas = entries.map(([name, target]) => new Replica(name, target));
  const first = replicas[0]!.target;
  const breaker = {
    failureThreshold: settings.failureThreshold ?? 3,
    windowMs: settings.windowMs ?? 10_000,
    cooldownMs: settings.cooldownMs ?? 10_000,
  };
  const sticky = settings.sticky !== false;
  const stickySlack = settings.stickySlack ?? 4;
  const probeIntervalMs = settings.probeIntervalMs ?? 2000;
  const wholeAnswerRate = priorTokensPerSecond[first.locality];
  let rotation = 0;
  let probeTimer: ReturnType<typeof setInterval> | undefined;

  /** The replicas to try for `call`, best first. */
  const order = (call: TargetCall): Replica[] => {
    const now = Date.now();
    const usable = replicas.filter((replica) => replica.usable(now));
    if (usable.length === 0) return [];
    const latencies = usable.map((replica) => replica.latency(now));
    const known = latencies.filter((value): value is number => value !== undefined);
    const typical = known.length > 0 ? known.reduce((sum, value) => sum + value, 0) / known.length : 1;
    // Latency weighs in only when a replica is clearly slower or faster than the others' average (by a quarter and
    // by 10 ms): below that the difference is measurement noise, and weighting by noise skews equal replicas.
    const costs = new Map<Replica, number>();
    usable.forEach((replica, index) => {
      const ttft = latencies[index] ?? typical;
      const weight = Math.abs(ttft - typical) < Math.max(0.25 * typical, 10) ? 1 : ttft / typical;
      costs.set(replica, (replica.inFlight + 1) * weight);
    });
    rotation = (rotation + 1) % usable.length;
    // Rotating the start before a stable sort breaks ties round-robin, so equal replicas share load evenly.
    const rotated = [...usable.slice(rotation), ...usable.slice(0, rotation)];
    const ranked = rotated.sort((a, b) => (costs.get(a) as number) - (costs.get(b) as number));
    if (!sticky) return ranked;
    const key = conversationKey(call);
    if (key === undefined) return ranked;
    let home = ranked[0]!;
    let best = -1;
    for (const replica of usable) {
      const score = hash(`${key}\u0000${replica.name}`);
      if (score > best) {
        best = score;
        home = replica;
      }
    }
    const least = Math.min(...usable.map((replica) => replica.inFlight));
    if (home.inFlight > least + stickySlack) return ranked;
    return [home, ...ranked.filter((replica) => replica !== home)];
  };

  const watchOut = () => {
    if (probeTimer !== undefined || !replicas.some((replica) => replica.target.checkStatus)) return;
    probeTimer = setInterval(() => {
      // Out by the pool's circuit, or by the replica's own status (an adapter marks itself unavailable after a refused
      // connection and may refresh that only every few seconds): probe both, so a replica is back within one interval.
      const out = replicas.filter((replica) => replica.out || replica.target.status().state === 'unavailable');
      if (out.length === 0) {
        clearInterval(probeTimer);
        probeTimer = undefined;
        return;
      }
      for (const replica of out) {
        replica.target
          .checkStatus?.()
          .then((status) => {
            if (status.state === 'ready' && replica.out) replica.readmit();
          })
          .catch(() => undefined);
      }
    }, probeIntervalMs);
    probeTimer.unref?.();
  };

  /**
   * Replicas that answer whole (`capabilities.wholeAnswers`, shared by the pool) are asked for their whole answer, with
   * the same replica order and the same retry on the next replica (nothing was shown before a whole answer fails);
   * otherwise the stream is collected. A whole answer's duration, less its decode time, feeds the replica's TTFT
   * average (see `Replica.wholeAnswer`), so whole answers rank replicas as streams do.
   */
  async function generate(call: TargetCall): Promise<GenerateResult> {
    if (first.capabilities.wholeAnswers !== true) return collectAnswer(stream(call));
    const candidates = usableOrThrow(call);
    let lastError: SwitchyardError | undefined;
    for (const replica of candidates) {
      if (call.signal?.aborted) throw new AbortError({ cause: call.signal.reason });
      const startedAt = Date.now();
      replica.begin(startedAt);
      try {
        const result = await replica.target.generate(call);
        // Tokens as core counts them: the reported usage, else about 4 characters a token.
        const tokens = result.usage?.outputTokens || Math.ceil(result.text.length / 4);
        const endedAt = Date.now();
        replica.wholeAnswer(endedAt - startedAt, tokens, wholeAnswerRate, endedAt);
        replica.succeed();
        return result;
      } catch (caught) {
        lastError = failedOn(replica, caught, call);
      }
    }
    throw lastError!;
  }

  /**
   * A replica's failed call, for `generate()` and `stream()` alike: an abort or an invalid request is thrown as it is
   * (the replica is released, not blamed: an abort says nothing about it, and every replica would refuse an invalid
   * request); anything else counts against the replica and is returned, for the caller to try the next one.
   */
  function failedOn(replica: Replica, caught: unknown, call: TargetCall): SwitchyardError {
    const error = toSwitchyardError(caught, { target: replica.name });
    if (call.signal?.aborted || error.code === 'abort' || error.code === 'invalid-request') {
      replica.release();
      throw error;
    }
    replica.fail(Date.now(), breaker);
    watchOut();
    return error;
  }

  /** The replicas to try for `call`, best first; throws when every replica is out. */
  function usableOrThrow(call: TargetCall): Replica[] {
    const candidates = order(call);
    if (candidates.length === 0) {
      throw new SwitchyardError({
        code: 'target-unavailable',
        message: `Every replica of the pool is out (${replicas.map((replica) => replica.name).join(', ')})`,
        isRetryable: true,
      });
    }
    return candidates;
  }

  async function* stream(call: TargetCall): AsyncGenerator<StreamPart> {
    const candidates = usableOrThrow(call);
    let lastError: SwitchyardError | undefined;
    for (const replica of candidates) {
      if (call.signal?.aborted) throw new AbortError({ cause: call.signal.reason });
      const startedAt = Date.now();
      replica.begin(startedAt);
      let emitted = false;
      let settled = false;
      try {
        for await (const part of replica.target.stream(call)) {
          if (!emitted && (part.type === 'text-delta' || part.type === 'tool-call')) {
            emitted = true;
            const firstAt = Date.now();
            replica.firstToken(firstAt - startedAt, firstAt);
          }
          yield part;
        }
        settled = true;
        replica.succeed();
        return;
      } catch (caught) {
        settled = true;
        const error = failedOn(replica, caught, call);
        // After output, a retry would replay text: the router decides what to do (continue elsewhere, or report).
        if (emitted) throw error;
        lastError = error;
      } finally {
        // The consumer stopped reading (break, a lost hedge): the call ended here, which is not a failure.
        if (!settled) replica.release();
      }
    }
    throw lastError!;
  }

  return {
    specificationVersion: 'v1',
    id: settings.id ?? `pool:${first.id}`,
    locality: first.locality,
    capabilities: first.capabilities,
    ...(first.telemetry ? { telemetry: first.telemetry } : {}),
    status(): TargetStatus {
      const now = Date.now();
      if (replicas.some((replica) => replica.usable(now))) return { state: 'ready' };
      return { state: 'unavailable', code: 'unreachable', reason: 'every replica of the pool is unreachable or out' };
    },
    async checkStatus(options) {
      await Promise.all(
        replicas.map(async (replica) => {
          const status = await replica.target.checkStatus?.(options).catch(() => undefined);
          if (status?.state === 'ready' && replica.out) replica.readmit();
        }),
      );
      return this.status();
    },
    generate,
    stream,
    replicaStats() {
      const now = Date.now();
      return Object.fromEntries(
        replicas.map((replica) => [
          replica.name,
          {
            inFlight: replica.inFlight,
            requests: replica.requests,
            failures: replica.failures,
            ttftMsEwma: replica.ttftMsEwma,
            state: replica.state(now),
          },
        ]),
      );
    },
    async dispose() {
      if (probeTimer !== undefined) clearInterval(probeTimer);
      await Promise.allSettled(replicas.map((replica) => replica.target.dispose?.()));
    },
  };
}
