import type { GenerateRequest, StreamPart, SwitchyardError, TargetCall, Usage } from '@switchyard/spec';
import { InvalidResponseError, TimeoutError, toSwitchyardError } from '@switchyard/spec';
import { estimateCostUsd } from '../decision/plan-route.js';
import type { Attempt, RouterEventEmitter } from '../events.js';
import type { Policy } from '../policy/policy.js';
import { acquireSlot } from './acquire-slot.js';
import type { TargetHealth } from './target-health.js';

/** Shared by every attempt of one request. */
export interface AttemptEnvironment {
  requestId: string;
  request: GenerateRequest;
  policy: Policy;
  events: RouterEventEmitter;
  clock: () => number;
  /** Aborted by the caller's signal (reason `AbortError`) or the request deadline (reason `TimeoutError`). */
  requestSignal: AbortSignal;
  promptTokens: Record<string, number>;
  chargeBudget: (usd: number) => void;
}

/** Why a hedged attempt was cancelled; never surfaces to callers. */
const hedgeLost = Symbol('hedge-lost');

/** Resolves `promise`, or rejects with the signal's reason as soon as it aborts, whichever comes first. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * One attempt on one target: queue slot, call, timers, the parts it produced, and its bookkeeping (stats, circuit,
 * spend, events). The executor drives it with `nextPart()` and ends it with exactly one of `succeed` / `fail` /
 * `cancel`.
 */
export class AttemptRun {
  readonly controller = new AbortController();
  readonly record: Attempt;
  /** Text this attempt produced (not counting an assistant prefix it continued from). */
  text = '';
  usage: Usage | undefined;
  firstTokenAt: number | undefined;
  #iterator: AsyncIterator<StreamPart> | undefined;
  #release: (() => void) | undefined;
  #holdsFlight = false;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #firstTokenTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #streamDone = false;
  #iteratorDone = false;
  #callStartedAt = 0;
  readonly #unlink: () => void;

  constructor(
    readonly health: TargetHealth,
    private readonly env: AttemptEnvironment,
    private readonly assistantPrefix: string | undefined,
  ) {
    this.record = { target: health.name, outcome: 'error', startedAt: env.clock(), durationMs: 0 };
    const onRequestAbort = () => this.controller.abort(env.requestSignal.reason);
    if (env.requestSignal.aborted) onRequestAbort();
    else env.requestSignal.addEventListener('abort', onRequestAbort, { once: true });
    this.#unlink = () => env.requestSignal.removeEventListener('abort', onRequestAbort);
  }

  get name(): string {
    return this.health.name;
  }

  /** Waits for a queue slot (local targets) and opens the target's stream. */
  async #open(): Promise<void> {
    const { health, env } = this;
    const signal = this.controller.signal;
    health.requests += 1;
    env.events.emit('attempt', { requestId: env.requestId, target: health.name, phase: 'start' });
    if (health.queue) {
      this.#release = await acquireSlot(health.queue, signal, env.request.routing?.priority);
    }
    signal.throwIfAborted();
    health.inFlight += 1;
    this.#holdsFlight = true;
    this.#callStartedAt = env.clock();
    const execution = env.policy.execution;
    if (execution.firstTokenTimeoutMs !== undefined) {
      const ms = execution.firstTokenTimeoutMs;
      this.#firstTokenTimer = setTimeout(
        () => this.controller.abort(new TimeoutError({ timeoutMs: ms, phase: 'first-token', target: health.name })),
        ms,
      );
      this.#timers.push(this.#firstTokenTimer);
    }
    if (execution.timeoutMs !== undefined) {
      const ms = execution.timeoutMs;
      this.#timers.push(
        setTimeout(
          () => this.controller.abort(new TimeoutError({ timeoutMs: ms, phase: 'total', target: health.name })),
          ms,
        ),
      );
    }
    const { routing: _routing, signal: _callerSignal, ...fields } = env.request;
    const call: TargetCall = { ...fields, signal };
    if (this.assistantPrefix) call.assistantPrefix = this.assistantPrefix;
    this.#iterator = health.target.stream(call)[Symbol.asyncIterator]();
  }

  /**
   * The next text-delta, tool-call or finish. Usage parts are kept, not returned (the executor emits usage once,
   * before finish). A stream that ends without `finish` is a failure, never a silent success.
   */
  async nextPart(): Promise<StreamPart> {
    if (!this.#iterator) await raceAbort(this.#open(), this.controller.signal);
    for (;;) {
      const result = await raceAbort(this.#iterator!.next(), this.controller.signal);
      if (result.done) {
        this.#iteratorDone = true;
        this.#streamDone = true;
        throw new InvalidResponseError({
          message: `Target "${this.name}" ended its stream without a finish part`,
          target: this.name,
        });
      }
      const part = result.value;
      if (part.type === 'usage') {
        this.usage = part.usage;
        continue;
      }
      if (part.type === 'text-delta' || part.type === 'tool-call') {
        if (this.firstTokenAt === undefined) this.#markFirstToken();
        if (part.type === 'text-delta') this.text += part.text;
      }
      if (part.type === 'finish') this.#streamDone = true;
      return part;
    }
  }

  #markFirstToken(): void {
    const now = this.env.clock();
    this.firstTokenAt = now;
    this.record.ttftMs = now - this.record.startedAt;
    this.health.recordTtft(now - this.#callStartedAt);
    if (this.#firstTokenTimer !== undefined) clearTimeout(this.#firstTokenTimer);
  }

  /** The error this attempt really ended with: the caller's abort or deadline first, then our own timers. */
  classify(error: unknown): SwitchyardError {
    if (this.env.requestSignal.aborted) return toSwitchyardError(this.env.requestSignal.reason, { target: this.name });
    const reason: unknown = this.controller.signal.aborted ? this.controller.signal.reason : undefined;
    if (reason !== undefined && reason !== hedgeLost) return toSwitchyardError(reason, { target: this.name });
    return toSwitchyardError(error, { target: this.name });
  }

  /** Tokens per second of the answer, from reported usage (or the text length when usage is unknown). */
  tokensPerSecond(now: number): number | undefined {
    if (this.firstTokenAt === undefined) return undefined;
    const seconds = (now - this.firstTokenAt) / 1000;
    const tokens = this.usage?.outputTokens ?? Math.ceil(this.text.length / 4);
    return seconds > 0 && tokens > 1 ? tokens / seconds : undefined;
  }

  succeed(): void {
    if (this.#closed) return;
    const now = this.env.clock();
    this.health.circuit.recordSuccess();
    this.health.recordSuccess(this.tokensPerSecond(now));
    this.#close('success', undefined, now);
  }

  /** Ends a failed attempt; `error` is already classified. Caller aborts are not held against the target. */
  fail(error: SwitchyardError): void {
    if (this.#closed) return;
    const now = this.env.clock();
    const callerAbort = this.env.requestSignal.aborted && error.code === 'abort';
    if (callerAbort) this.health.circuit.recordAbort();
    else if (error.code === 'invalid-request') {
      // The request's fault, not the target's: no circuit or error-rate penalty.
      this.health.circuit.recordAbort();
    } else {
      this.health.circuit.recordFailure(now);
      this.health.recordFailure();
    }
    this.#close(callerAbort ? 'aborted' : 'error', error, now);
  }

  /** Cancels the attempt: it lost a hedge race, or the consumer stopped reading. */
  cancel(outcome: 'aborted' | 'hedge-lost'): void {
    if (this.#closed) return;
    this.controller.abort(outcome === 'hedge-lost' ? hedgeLost : this.env.requestSignal.reason);
    this.health.circuit.recordAbort();
    this.#close(outcome, undefined, this.env.clock());
  }

  #close(outcome: Attempt['outcome'], error: SwitchyardError | undefined, now: number): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#unlink();
    if (!this.#streamDone && !this.controller.signal.aborted) this.controller.abort(hedgeLost);
    if (this.#iterator && !this.#iteratorDone) {
      // Let the target run its cleanup (also after `finish`, where it is parked at its last yield); after an abort
      // that cleanup may reject, which is expected.
      this.#iterator.return?.()?.catch(() => undefined);
    }
    this.#release?.();
    if (this.#holdsFlight) this.health.inFlight -= 1;
    const record = this.record;
    record.outcome = outcome;
    record.durationMs = now - record.startedAt;
    if (error) record.error = { code: error.code, message: error.message, isRetryable: error.isRetryable };
    let usage = this.usage;
    // A cancelled or broken call that already produced output has been billed by a remote provider: estimate it.
    if (usage === undefined && ((outcome === 'hedge-lost' && this.#holdsFlight) || this.firstTokenAt !== undefined)) {
      usage = {
        inputTokens: this.env.promptTokens[this.name] ?? 0,
        outputTokens: Math.ceil(this.text.length / 4),
      };
      record.usageEstimated = true;
    }
    if (usage) {
      record.usage = usage;
      const price = this.health.target.capabilities.price;
      const cost = price ? estimateCostUsd(price, usage.inputTokens, usage.outputTokens) : 0;
      record.costUsd = cost;
      if (cost > 0) {
        this.health.spentUsd += cost;
        this.env.chargeBudget(cost);
      }
    }
    this.env.events.emit('attempt', {
      requestId: this.env.requestId,
      target: this.name,
      phase: 'end',
      attempt: record,
    });
  }
}
