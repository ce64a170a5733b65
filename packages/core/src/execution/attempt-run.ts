import type {
  GenerateRequest,
  GenerateResult,
  StreamPart,
  SwitchyardError,
  TargetCall,
  Usage,
} from '@switchyard/contract';
import {
  BudgetExceededError,
  InvalidResponseError,
  markValidatedCall,
  TimeoutError,
  toSwitchyardError,
} from '@switchyard/contract';
import { budgetDetail } from '../decision/explain-plan.js';
import { defaultOutputTokens, estimateCostUsd, expectedTokensPerSecond } from '../decision/plan-route.js';
import type { Attempt, RouterEventEmitter } from '../events.js';
import type { Policy } from '../policy/policy.js';
import type { RequestTrace } from '../telemetry/request-trace.js';
import { acquireSlot } from './acquire-slot.js';
import type { BudgetHold, BudgetLedger } from './budget-ledger.js';
import type { RequestAbort } from './request-abort.js';
import type { TargetHealth } from './target-health.js';
import {
  callsChosenTool,
  checkPart,
  checkToolChoiceMet,
  checkWholeAnswer,
  isChargeableUsage,
} from './target-output.js';
import { wholeAnswerPartsOf } from './whole-answer-parts-of.js';

/** Shared by every attempt of one request. */
export interface AttemptEnvironment {
  requestId: string;
  request: GenerateRequest;
  policy: Policy;
  events: RouterEventEmitter;
  clock: () => number;
  /** Aborted by the caller's signal (reason `AbortError`) or the request deadline (reason `TimeoutError`). */
  requestAbort: RequestAbort;
  /**
   * Whether anything can cancel an attempt while its call is pending (the request's abort, the policy's timeouts,
   * hedging). Only then does an attempt create an `AbortController` for its target and race each part against it;
   * otherwise an attempt only ever ends between parts, where `iterator.return()` is enough.
   */
  cancellable: boolean;
  promptTokens: Record<string, number>;
  /** The period budget: attempts on paid targets hold their estimate there before they are dispatched. */
  budget: BudgetLedger;
  /** The per-request cap, shared by every attempt of the request (retries, hedges, fallbacks). */
  requestBudget: RequestBudget;
  /** The request's trace, when an OpenTelemetry provider records it: gives each call its trace context. */
  telemetry?: RequestTrace | undefined;
  /**
   * Nobody reads the answer before it ends (`router.generate()`) and nothing needs its first token (no first-token or
   * stall timeout, no hedge): a target that declares `capabilities.wholeAnswers` is asked through `generate()`, so an
   * HTTP target reads one JSON body instead of an event stream. Such an attempt has no time to first token and no
   * decode speed; the request's own timeout, deadline and abort still apply (the call's signal).
   */
  wholeAnswers: boolean;
}

/** What one request may still spend: its cap, and the real cost of closed attempts plus the estimates of live ones. */
export interface RequestBudget {
  capUsd: number | undefined;
  committedUsd: number;
}

// The bits of `AttemptRun.#flags`.
const aborted = 1;
const holdsFlight = 2;
const waitingForPart = 4;
const closed = 8;
const streamDone = 16;
const iteratorDone = 32;
const whole = 64;
const firstTokenTimer = 128;
const stallTimer = 256;
/** A tool call that the request's `toolChoice` asks for arrived (see `checkToolChoiceMet`). */
const calledChosenTool = 512;

/** What an attempt that waited before its call holds until it closes. */
class AttemptWait {
  /** Gives the queue slot back. */
  release: (() => void) | undefined = undefined;
  /** This attempt's estimate, counted against the request's cap until it closes. */
  estimateUsd = 0;
  hold: BudgetHold | undefined = undefined;
}

/** Why a hedged attempt was cancelled; never surfaces to callers. */
const hedgeLost = Symbol('hedge-lost');

/**
 * One attempt on one target: queue slot, call, timers, the parts it produced, and its bookkeeping (stats, circuit,
 * spend, events). The executor drives it with `nextPart()` and ends it with exactly one of `succeed` / `fail` /
 * `cancel`.
 */
export class AttemptRun {
  readonly record: Attempt;
  /** Text this attempt produced (not counting an assistant prefix it continued from). */
  text = '';
  usage: Usage | undefined;
  firstTokenAt: number | undefined;
  /** The target's signal; only when the environment is cancellable (see `AttemptEnvironment.cancellable`). */
  readonly #controller: AbortController | undefined;
  #abortReason: unknown;
  /** Rejects the part (or the open) the executor waits for, so a target that ignores its signal cannot hang us. */
  #rejectPending: ((reason: unknown) => void) | undefined;
  #iterator: AsyncIterator<StreamPart> | undefined;
  /** Takes each part of the stream: one closure per attempt, reused for every part; created by the first read. */
  #onResult: ((result: IteratorResult<StreamPart>) => StreamPart | Promise<StreamPart>) | undefined;
  /** Created by an attempt that waits before its call (`#afterWaiting`): most remote attempts never do. */
  #waited: AttemptWait | undefined;
  /**
   * Every timer of this attempt. The first-token timer, when there is one, is the first (bit `firstTokenTimer`); the
   * stall timer, when there is one, the last (bit `stallTimer`: armed after the first token, so after the others).
   */
  #timers: ReturnType<typeof setTimeout>[] | undefined;
  /**
   * When the call started, in ms after `record.startedAt` (the wait for a queue slot or a budget hold): a small
   * integer with the default clock, where the absolute time would be a 16-byte heap number per attempt.
   */
  #callAfterMs = 0;
  readonly #unlink: () => void;
  /**
   * Yes/no states in one number (the bits above): one field instead of nine, as memory per in-flight request counts.
   * The accessors keep the code reading as plain booleans.
   */
  #flags = 0;

  get #aborted(): boolean {
    return (this.#flags & aborted) !== 0;
  }
  set #aborted(value: boolean) {
    this.#setFlag(aborted, value);
  }
  /** Counted in `health.inFlight`. */
  get #holdsFlight(): boolean {
    return (this.#flags & holdsFlight) !== 0;
  }
  set #holdsFlight(value: boolean) {
    this.#setFlag(holdsFlight, value);
  }
  get #waitingForPart(): boolean {
    return (this.#flags & waitingForPart) !== 0;
  }
  set #waitingForPart(value: boolean) {
    this.#setFlag(waitingForPart, value);
  }
  get #closed(): boolean {
    return (this.#flags & closed) !== 0;
  }
  set #closed(value: boolean) {
    this.#setFlag(closed, value);
  }
  get #streamDone(): boolean {
    return (this.#flags & streamDone) !== 0;
  }
  set #streamDone(value: boolean) {
    this.#setFlag(streamDone, value);
  }
  get #iteratorDone(): boolean {
    return (this.#flags & iteratorDone) !== 0;
  }
  set #iteratorDone(value: boolean) {
    this.#setFlag(iteratorDone, value);
  }
  #setFlag(bit: number, value: boolean): void {
    this.#flags = value ? this.#flags | bit : this.#flags & ~bit;
  }

  constructor(
    readonly health: TargetHealth,
    private readonly env: AttemptEnvironment,
    private readonly assistantPrefix: string | undefined,
  ) {
    this.record = { target: health.name, outcome: 'error', startedAt: env.clock(), durationMs: 0 };
    this.#controller = env.cancellable ? new AbortController() : undefined;
    if (env.wholeAnswers && health.target.capabilities.wholeAnswers === true) this.#flags = whole;
    const requestAbort = env.requestAbort;
    if (requestAbort.reason !== undefined) this.#abort(requestAbort.reason);
    // Most requests cannot be aborted (no caller signal, no deadline): no listener closure for those.
    this.#unlink = requestAbort.possible ? requestAbort.onAbort((reason) => this.#abort(reason)) : noop;
  }

  #callStartedAt(): number {
    return this.record.startedAt + this.#callAfterMs;
  }

  get name(): string {
    return this.health.name;
  }

  /** This attempt asks its target for the whole answer (see `AttemptEnvironment.wholeAnswers`). */
  get whole(): boolean {
    return (this.#flags & whole) !== 0;
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    const reject = this.#rejectPending;
    this.#rejectPending = undefined;
    reject?.(reason);
  }

  /** `promise`, or its rejection with the abort reason as soon as this attempt is aborted, whichever comes first. */
  #guard<T>(promise: Promise<T>): Promise<T> {
    if (this.#aborted) {
      promise.catch(() => undefined);
      return Promise.reject(this.#abortReason);
    }
    if (this.#controller === undefined) return promise;
    return new Promise<T>((resolve, reject) => {
      this.#rejectPending = reject;
      promise.then(resolve, reject);
    });
  }

  /**
   * Counts the attempt as started; returns whether its call must first wait (`#afterWaiting`): for a budget hold (a
   * priced target) or a queue slot (a local one).
   */
  #begin(): boolean {
    const { health, env } = this;
    health.requests += 1;
    // The request's trace hears of its attempts directly: through router events it cost an event object and a
    // lookup by request id per attempt, twice.
    env.telemetry?.attemptStarted(health.name);
    if (env.events.has('attempt')) {
      env.events.emit('attempt', { requestId: env.requestId, target: health.name, phase: 'start' });
    }
    return health.target.capabilities.price !== undefined || health.queue !== undefined;
  }

  /**
   * Holds the budget and takes the queue slot, then starts the call at once (its stream, or its whole answer when
   * `whole`), so the slot is in use as soon as it is granted.
   */
  async #afterWaiting(whole: boolean): Promise<GenerateResult | undefined> {
    const { health, env } = this;
    const price = health.target.capabilities.price;
    const waited = new AttemptWait();
    this.#waited = waited;
    if (price !== undefined) await this.#reserve(price, waited);
    if (health.queue) {
      waited.release = await acquireSlot(health.queue, this.#controller?.signal, env.request.routing?.priority);
    }
    if (whole) return this.#ask();
    this.#openStream();
    return undefined;
  }

  /** Arms the call's timers and builds the call the target receives. */
  #call(): TargetCall {
    const { health, env } = this;
    if (this.#aborted) throw this.#abortReason;
    const signal = this.#controller?.signal;
    health.inFlight += 1;
    this.#holdsFlight = true;
    const afterMs = env.clock() - this.record.startedAt;
    // The difference of two doubles is a double: stored as is, it would make the field a heap number again.
    this.#callAfterMs = (afterMs | 0) === afterMs ? afterMs | 0 : afterMs;
    const execution = env.policy.execution;
    if (execution.firstTokenTimeoutMs !== undefined) {
      const ms = execution.firstTokenTimeoutMs;
      this.#timers = [
        setTimeout(
          () => this.#abort(new TimeoutError({ timeoutMs: ms, phase: 'first-token', target: health.name })),
          ms,
        ),
      ];
      this.#flags |= firstTokenTimer;
    }
    if (execution.timeoutMs !== undefined) {
      const ms = execution.timeoutMs;
      const timer = setTimeout(
        () => this.#abort(new TimeoutError({ timeoutMs: ms, phase: 'total', target: health.name })),
        ms,
      );
      if (this.#timers) this.#timers.push(timer);
      else this.#timers = [timer];
    }
    // Each call is its own copy of the request's fields (no routing hints, no caller signal): copied here, once per
    // attempt, rather than kept as a template for the whole request and copied again.
    const { routing: _routing, signal: _callerSignal, ...fields } = env.request;
    const call: TargetCall = fields;
    if (signal !== undefined) call.signal = signal;
    if (this.assistantPrefix) call.assistantPrefix = this.assistantPrefix;
    const traceContext = env.telemetry?.callContext(health.name);
    if (traceContext) call.traceContext = traceContext;
    // The router validated the request already; adapters' parseTargetCall need not do it again.
    markValidatedCall(call);
    return call;
  }

  #openStream(): void {
    this.#iterator = this.health.target.stream(this.#call())[Symbol.asyncIterator]();
  }

  /**
   * Counts this attempt's estimated cost against the request's cap (all its attempts together), then holds it against
   * the period budget in the store. Either refusal is a `BudgetExceededError`: the executor moves on to the next
   * target (a local one costs nothing) and the target's circuit is not blamed.
   */
  async #reserve(price: { inputPer1M: number; outputPer1M: number }, waited: AttemptWait): Promise<void> {
    const { health, env } = this;
    const output = env.request.maxTokens ?? Math.min(defaultOutputTokens, health.target.capabilities.maxOutputTokens);
    const estimate = estimateCostUsd(price, env.promptTokens[health.name] ?? 0, output);
    if (estimate <= 0) return;
    const ledger = env.requestBudget;
    if (ledger.capUsd !== undefined && ledger.committedUsd + estimate > ledger.capUsd) {
      throw new BudgetExceededError({
        scope: 'request',
        limitUsd: ledger.capUsd,
        spentUsd: ledger.committedUsd,
        target: health.name,
        detail: budgetDetail(estimate, ledger.capUsd - ledger.committedUsd),
      });
    }
    ledger.committedUsd += estimate;
    waited.estimateUsd = estimate;
    const hold = await env.budget.reserve(estimate, env.policy, env.requestId, health.name);
    // The attempt may have been cancelled while the store answered: give the hold straight back.
    if (hold !== undefined && this.#closed) env.budget.release(hold);
    else waited.hold = hold;
  }

  /**
   * The next text-delta, tool-call or finish of a streamed attempt. Usage parts are kept, not returned (the executor
   * emits usage once, before finish). A stream that ends without `finish` is a failure, never a silent success.
   */
  nextPart(): Promise<StreamPart> {
    // Not an async function: the executor waits on the returned promise, and an async frame of our own (its
    // generator object, registers and two await closures, ~0.3 KB) would live as long as the target keeps us waiting.
    try {
      if (this.#iterator === undefined) {
        if (this.#begin()) return this.#guard(this.#afterWaiting(false)).then(() => this.#read());
        this.#openStream();
      }
      return this.#read();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #read(): Promise<StreamPart> {
    this.#armStall();
    this.#onResult ??= (result) => this.#take(result);
    return this.#guard(this.#iterator!.next()).then(this.#onResult);
  }

  /**
   * The whole answer of an attempt that asks for one (`whole`), through the target's `generate()`: called once,
   * instead of `nextPart()`; `takeWhole` then books it. The returned promise is the target's own unless something can
   * cancel the attempt, so a request waiting on its answer holds no promise of ours beyond the executor's.
   */
  answer(): Promise<GenerateResult> {
    try {
      if (this.#begin()) return this.#guard(this.#afterWaiting(true) as Promise<GenerateResult>);
      return this.#guard(this.#ask());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #ask(): Promise<GenerateResult> {
    return this.health.target.generate(this.#call());
  }

  /**
   * Books a whole answer as the parts its stream would have carried (see `wholeAnswerPartsOf`) and returns them; its
   * usage is booked before the finish, where a stream carries it, and kept as `nextPart()` keeps a usage part.
   */
  takeWhole(result: GenerateResult): StreamPart[] {
    this.#rejectPending = undefined;
    checkWholeAnswer(result, this.name);
    const parts = wholeAnswerPartsOf(result);
    for (const part of parts) {
      // No usage: the attempt estimates it as for a stream.
      if (part.type === 'finish' && result.usage !== undefined) this.#bookUsage(result.usage);
      this.#book(part);
    }
    return parts;
  }

  #take(result: IteratorResult<StreamPart>): StreamPart | Promise<StreamPart> {
    this.#waitingForPart = false;
    this.#rejectPending = undefined;
    if (result.done) {
      this.#iteratorDone = true;
      this.#streamDone = true;
      throw new InvalidResponseError({
        message: `Target "${this.name}" ended its stream without a finish part`,
        target: this.name,
      });
    }
    const part = result.value;
    checkPart(part, this.name);
    return this.#book(part) ? part : this.nextPart();
  }

  /** Books a part the target produced; false for usage, which is kept, not passed on. */
  #book(part: StreamPart): boolean {
    if (part.type === 'usage') {
      this.#bookUsage(part.usage);
      return false;
    }
    if (part.type === 'text-delta' || part.type === 'tool-call') {
      if (this.firstTokenAt === undefined) this.#markFirstToken();
      if (part.type === 'text-delta') this.text += part.text;
      else if (callsChosenTool(this.env.request.toolChoice, part.toolCall.name)) this.#flags |= calledChosenTool;
    }
    if (part.type === 'finish') {
      this.#streamDone = true;
      if ((this.#flags & calledChosenTool) === 0) {
        checkToolChoiceMet(this.env.request.toolChoice, part.finishReason, this.name);
      }
    }
    return true;
  }

  #bookUsage(usage: Usage): void {
    // Counts the router cannot charge (NaN, negative, not numbers) are unreported: the attempt charges its estimate.
    if (!isChargeableUsage(usage)) return;
    // Zero tokens after output is an adapter that read counts it was not given as 0: unreported, so the attempt
    // charges its estimate rather than $0.
    const zero = usage.inputTokens === 0 && usage.outputTokens === 0;
    if (!zero || this.firstTokenAt === undefined) this.usage = usage;
  }

  #markFirstToken(): void {
    const now = this.env.clock();
    this.firstTokenAt = now;
    // A whole answer's first token comes with its last: no time to first token to report (`succeed()` learns from
    // its duration instead).
    if (this.whole) return;
    this.record.ttftMs = now - this.record.startedAt;
    this.health.recordTtft(now - this.#callStartedAt());
    if ((this.#flags & firstTokenTimer) !== 0) clearTimeout(this.#timers![0]);
  }

  /**
   * Starts the stall clock while we wait for the target's next part (only after the first token). It runs only while
   * waiting on the target, never while the consumer takes its time with the previous part.
   */
  #armStall(): void {
    const ms = this.env.policy.execution.stallTimeoutMs;
    if (ms === undefined || this.firstTokenAt === undefined) return;
    this.#waitingForPart = true;
    // Re-armed by every part after the first token: one timer, refreshed, not recreated.
    if ((this.#flags & stallTimer) !== 0) {
      this.#timers!.at(-1)!.refresh();
      return;
    }
    const target = this.health.name;
    const timer = setTimeout(() => {
      if (this.#waitingForPart) this.#abort(new TimeoutError({ timeoutMs: ms, phase: 'stall', target }));
    }, ms);
    if (this.#timers) this.#timers.push(timer);
    else this.#timers = [timer];
    this.#flags |= stallTimer;
  }

  /** The error this attempt really ended with: the caller's abort or deadline first, then our own timers. */
  classify(error: unknown): SwitchyardError {
    const requestReason = this.env.requestAbort.reason;
    if (requestReason !== undefined) return toSwitchyardError(requestReason, { target: this.name });
    const reason = this.#aborted ? this.#abortReason : undefined;
    if (reason !== undefined && reason !== hedgeLost) return toSwitchyardError(reason, { target: this.name });
    return toSwitchyardError(error, { target: this.name });
  }

  /** Tokens per second of the answer, from reported usage (or the text length when usage is unknown). */
  tokensPerSecond(now: number): number | undefined {
    if (this.firstTokenAt === undefined || this.whole) return undefined;
    const seconds = (now - this.firstTokenAt) / 1000;
    const tokens = this.usage?.outputTokens ?? Math.ceil(this.text.length / 4);
    return seconds > 0 && tokens > 1 ? tokens / seconds : undefined;
  }

  succeed(): void {
    if (this.#closed) return;
    const now = this.env.clock();
    const health = this.health;
    health.circuit.recordSuccess();
    health.recordSuccess(this.tokensPerSecond(now));
    // A whole answer still teaches the planner how long this target takes (see `TargetHealth.recordWholeAnswer`).
    if (this.whole) {
      const tokens = this.usage?.outputTokens || Math.ceil(this.text.length / 4);
      const rate = expectedTokensPerSecond(health, this.env.policy.targets[health.name]);
      health.recordWholeAnswer((this.firstTokenAt ?? now) - this.#callStartedAt(), tokens, rate);
    }
    this.#close('success', undefined, now);
  }

  /** Ends a failed attempt; `error` is already classified. Caller aborts are not held against the target. */
  fail(error: SwitchyardError): void {
    if (this.#closed) return;
    const now = this.env.clock();
    const callerAbort = this.env.requestAbort.aborted && error.code === 'abort';
    if (callerAbort) this.health.circuit.recordAbort();
    else if (error.code === 'invalid-request' || error.code === 'budget-exceeded') {
      // The request's fault (or its budget's), not the target's: no circuit or error-rate penalty.
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
    this.#abort(outcome === 'hedge-lost' ? hedgeLost : (this.env.requestAbort.reason ?? hedgeLost));
    this.health.circuit.recordAbort();
    this.#close(outcome, undefined, this.env.clock());
  }

  #close(outcome: Attempt['outcome'], error: SwitchyardError | undefined, now: number): void {
    this.#closed = true;
    if (this.#timers) for (const timer of this.#timers) clearTimeout(timer);
    this.#unlink();
    if (!this.#streamDone) this.#abort(hedgeLost);
    if (this.#iterator && !this.#iteratorDone) {
      // Let the target run its cleanup (also after `finish`, where it is parked at its last yield); after an abort
      // that cleanup may reject, which is expected.
      this.#iterator.return?.()?.catch(() => undefined);
    }
    const waited = this.#waited;
    waited?.release?.();
    if (this.#holdsFlight) this.health.inFlight -= 1;
    const record = this.record;
    record.outcome = outcome;
    record.durationMs = now - record.startedAt;
    if (error) record.error = { code: error.code, message: error.message, isRetryable: error.isRetryable };
    let usage = this.usage;
    // A call the target reported no usage for was billed all the same (a server that omits usage, one that sends it
    // on streams only when asked, a cancelled or broken call that produced output): the router charges its estimate,
    // so a budget still binds.
    if (
      usage === undefined &&
      (outcome === 'success' || (outcome === 'hedge-lost' && this.#holdsFlight) || this.firstTokenAt !== undefined)
    ) {
      usage = {
        inputTokens: this.env.promptTokens[this.name] ?? 0,
        outputTokens: Math.ceil(this.text.length / 4),
      };
      record.usageEstimated = true;
    }
    let cost = 0;
    if (usage) {
      record.usage = usage;
      const price = this.health.target.capabilities.price;
      cost = price ? estimateCostUsd(price, usage.inputTokens, usage.outputTokens) : 0;
      record.costUsd = cost;
      if (cost > 0) this.health.spentUsd += cost;
    }
    // The estimate held for this attempt gives way to what it really cost.
    this.env.requestBudget.committedUsd += cost - (waited?.estimateUsd ?? 0);
    const hold = waited?.hold;
    if (hold !== undefined) {
      if (cost > 0) this.env.budget.settle(hold, cost);
      else this.env.budget.release(hold);
    }
    this.env.telemetry?.attemptEnded(record);
    if (this.env.events.has('attempt')) {
      this.env.events.emit('attempt', {
        requestId: this.env.requestId,
        target: this.name,
        phase: 'end',
        attempt: record,
      });
    }
  }
}

function noop(): void {}
