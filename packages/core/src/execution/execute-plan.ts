import type {
  FailedAttempt,
  FinishPart,
  GenerateRequest,
  GenerateResult,
  StreamPart,
  ToolCall,
} from '@switchyard/contract';
import {
  AllTargetsFailedError,
  BudgetExceededError,
  InvalidResponseError,
  StreamInterruptedError,
  type SwitchyardError,
  TargetUnavailableError,
  TimeoutError,
} from '@switchyard/contract';
import type { RoutedGenerateResult } from '../create-router.js';
import type { RoutePlan } from '../decision/route-plan.js';
import type { Attempt, MidStreamFailover, RouterEventEmitter, RouteSummary } from '../events.js';
import type { MidStreamMode, Policy } from '../policy/policy.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import type { RequestTrace } from '../telemetry/request-trace.js';
import { type AttemptEnvironment, AttemptRun, type RequestBudget } from './attempt-run.js';
import type { BudgetLedger } from './budget-ledger.js';
import type { ExecutionInput, ExecutionShared } from './execution-input.js';
import { abortableDelay, RequestAbort } from './request-abort.js';
import { requestCapUsd } from './request-cap-usd.js';
import { requestIdOf } from './request-id-of.js';
import { retryDelayMs } from './retry-delay.js';
import type { TargetHealth } from './target-health.js';
import { toAbortReason } from './to-abort-reason.js';

type FirstResult =
  | { kind: 'won'; run: AttemptRun; part: StreamPart }
  | { kind: 'failed'; run: AttemptRun; error: SwitchyardError };

/**
 * Runs a plan: the decision part first; then, per target in plan order, attempts with retries for retryable errors;
 * hedging before the first token; after the first token, failover only to targets that continue the partial answer
 * (a visible restart only with `midStream: 'restart'`, else `StreamInterruptedError`); and the summary part last. Every plan is finite and each target is left behind for good once the executor moves on, so it never loops.
 * A private request's plan holds only local targets, and the executor re-checks that before every attempt.
 */
export function executePlan(prepare: () => ExecutionInput): AsyncGenerator<RouterStreamPart, void, undefined> {
  return new PlanStream(new PlanExecution(), prepare) as unknown as AsyncGenerator<RouterStreamPart, void, undefined>;
}

// The phases of a `PlanStream` (see `PlanExecution.step`).
const streamFresh = 0;
const streamDecided = 1;
const streamRunning = 2;
const streamReading = 3;
const streamUsage = 4;
const streamFinish = 5;
const streamSummary = 6;
const streamEnding = 7;
const streamDone = 8;

/** What a step of a stream answers: a part that is ready, or the promise of one. */
type StreamStep = IteratorResult<RouterStreamPart, void> | Promise<IteratorResult<RouterStreamPart, void>>;

const streamEnded: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true });

/**
 * A request's stream of parts: an async iterator over its execution, with the contract of an async generator (parts
 * in order, pulled one at a time; `return()` ends the request; after an error or the end, `done`). Not a generator:
 * each part crossed an async generator (a resumption, an await of the yielded value, a promise per `next()`) on top of
 * the target's own, for the five parts even the shortest answer has; here a part that is ready (the decision, usage,
 * finish, summary) is returned as it is, and one that waits on the target costs the one promise that waits. A
 * `next()` or `return()` called while a `next()` is still pending waits for it, as a generator's queue does.
 */
class PlanStream {
  phase = streamFresh;
  /** The run whose parts are read (`streamReading`), or whose tail is emitted (`streamUsage` on). */
  run: AttemptRun | undefined = undefined;
  finish: FinishPart | undefined = undefined;
  /** What takes the reading run's next part, or its failure (`streamReading`); created by the first read. */
  onPart: ((part: StreamPart) => StreamStep) | undefined = undefined;
  onFailure: ((caught: unknown) => Promise<IteratorResult<RouterStreamPart, void>>) | undefined = undefined;
  /** The last `next()` still pending, when one is. */
  #pending: Promise<IteratorResult<RouterStreamPart, void>> | undefined = undefined;
  /** Clears `#pending`; created by the first `next()` that waits, and reused. */
  #onSettled: (() => void) | undefined = undefined;

  constructor(
    readonly execution: PlanExecution,
    readonly prepare: () => ExecutionInput,
  ) {}

  next(): Promise<IteratorResult<RouterStreamPart, void>> {
    const pending = this.#pending;
    if (pending !== undefined) {
      const again = () => this.next();
      return pending.then(again, again);
    }
    let result: StreamStep;
    try {
      result = this.execution.step(this);
    } catch (error) {
      // A bug in a step; the stream ends as a generator would.
      this.execution.closeStream(this);
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) return Promise.resolve(result);
    this.#pending = result;
    this.#onSettled ??= () => {
      this.#pending = undefined;
    };
    result.then(this.#onSettled, this.#onSettled);
    return result;
  }

  return(): Promise<IteratorResult<RouterStreamPart, void>> {
    const pending = this.#pending;
    if (pending !== undefined) {
      const again = () => this.return();
      return pending.then(again, again);
    }
    this.execution.closeStream(this);
    return Promise.resolve(streamEnded);
  }

  /** Ends the stream and rejects with `error` (nothing inside a stream catches what its consumer throws in). */
  throw(error: unknown): Promise<IteratorResult<RouterStreamPart, void>> {
    return this.return().then(() => Promise.reject(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}

/** What `generate()` answers: the whole text, tool calls, finish reason and usage, and the route. */
export type CollectedAnswer = RoutedGenerateResult;

/**
 * Runs a plan for `generate()`: the same execution as {@link executePlan}, but the parts are folded into one answer
 * as they arrive instead of crossing an async generator one by one (each crossing cost a promise and several
 * microtask hops per part: five for the shortest answer, one per token for long ones), and no generator runs at all
 * (see `PlanExecution.collect`). The request's trace, when there is one, observes the same parts in the same order as
 * a consumer of the stream would.
 */
export function collectPlan(prepare: () => ExecutionInput): Promise<CollectedAnswer> {
  return new PlanExecution().collect(prepare);
}

// The bits of `PlanExecution.#flags`.
const cancellable = 1;
const wholeAnswers = 2;
const hedged = 4;
// `#midStream`: neither bit is 'continue'.
const midStreamRestart = 8;
const midStreamError = 16;

/**
 * What few requests need: a deadline timer, failures, a hedge's second run, mid-stream failovers, targets skipped,
 * tool calls. One object, created by the first of them, instead of six fields on every execution (bench row 5).
 */
class ExecutionExtras {
  deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** `ExecutionInput.deadlineAt`: when the deadline ends, for a request that waited before it started. */
  deadlineAt: number | undefined = undefined;
  /** Created by the first failure. */
  failures: FailedAttempt[] | undefined = undefined;
  /** A hedge's second live run. */
  liveHedge: AttemptRun | undefined = undefined;
  /** Created on the first mid-stream failover. */
  failovers: MidStreamFailover[] | undefined = undefined;
  /** Targets passed over after the first token because they cannot continue the partial answer. */
  skipped: string[] | undefined = undefined;
  /** Collected tool calls (`generate()`); created by the first. */
  toolCalls: ToolCall[] | undefined = undefined;
}

/**
 * One request's execution. A class rather than a generator with helper closures: memory per request in flight counts
 * (bench row 5), and its state lives once in this object instead of in a generator context plus a closure per helper.
 * It is also the environment its attempts share (`AttemptEnvironment`), the request's budget (`RequestBudget`) and
 * the caller signal's abort listener (`handleEvent`), so none of them needs an object of its own.
 */
class PlanExecution implements AttemptEnvironment, RequestBudget {
  // Set by `#start` on the first `next()`; declared here so every execution has the same shape.
  request!: GenerateRequest;
  requestAbort!: RequestAbort;
  // The request's own budget (`RequestBudget`) lives here too: no object of its own per request.
  capUsd: number | undefined;
  committedUsd = 0;
  telemetry: RequestTrace | undefined;

  // Memory per request in flight counts (bench row 5): what the router shares is one reference, the yes/no states
  // and the mid-stream mode are bits of one number, what the plan holds is read from it, and what few requests need
  // lives in `#extras` (behind accessors, so the code reads as if they were fields).
  #shared!: ExecutionShared;
  /** `cancellable`, `wholeAnswers`, `#hedged` and `#midStream`, as bits (see above). */
  #flags = 0;
  #plan!: RoutePlan;
  #extras: ExecutionExtras | undefined;
  /** See `requestId`. */
  #requestId: string | undefined;
  #requestNumber = 0;
  /** When the request started, in ms after `#shared.epoch` (see `#requestStartedAt`). */
  #startedAfterEpoch = 0;
  #nextIndex = 0;
  /** The target the next attempt runs on; fields, not generator locals, so `#recover` can move them on. */
  #current: TargetHealth | undefined;
  #retriesUsed = 0;
  /**
   * The attempts' records: the first one alone (most requests make one attempt, and a one-element array is 32 B
   * more per request in flight), a list from the second on, built as a literal (a pushed-to empty array grows a
   * 17-slot store, 152 B); `#attemptList()` makes it the list.
   */
  #attempts: Attempt | Attempt[] | undefined;
  // At most two runs are live (a hedge): `#live` and `#liveHedge`, not a collection.
  #live: AttemptRun | undefined;
  #emittedText = '';
  #emittedToolCalls = 0;
  #firstEmittedAt: number | undefined;
  #fallbacks = 0;

  get #midStream(): MidStreamMode {
    const flags = this.#flags;
    return (flags & midStreamRestart) !== 0 ? 'restart' : (flags & midStreamError) !== 0 ? 'error' : 'continue';
  }
  set #midStream(mode: MidStreamMode) {
    this.#flags &= ~(midStreamRestart | midStreamError);
    if (mode === 'restart') this.#flags |= midStreamRestart;
    else if (mode === 'error') this.#flags |= midStreamError;
  }

  /** `#extras`, created on first use. */
  #extra(): ExecutionExtras {
    if (this.#extras === undefined) this.#extras = new ExecutionExtras();
    return this.#extras;
  }
  get #deadlineTimer(): ReturnType<typeof setTimeout> | undefined {
    return this.#extras?.deadlineTimer;
  }
  set #deadlineTimer(timer: ReturnType<typeof setTimeout> | undefined) {
    if (timer !== undefined || this.#extras !== undefined) this.#extra().deadlineTimer = timer;
  }
  get #failures(): FailedAttempt[] | undefined {
    return this.#extras?.failures;
  }
  set #failures(failures: FailedAttempt[] | undefined) {
    if (failures !== undefined || this.#extras !== undefined) this.#extra().failures = failures;
  }
  get #liveHedge(): AttemptRun | undefined {
    return this.#extras?.liveHedge;
  }
  set #liveHedge(run: AttemptRun | undefined) {
    if (run !== undefined || this.#extras !== undefined) this.#extra().liveHedge = run;
  }
  get #failovers(): MidStreamFailover[] | undefined {
    return this.#extras?.failovers;
  }
  set #failovers(failovers: MidStreamFailover[] | undefined) {
    if (failovers !== undefined || this.#extras !== undefined) this.#extra().failovers = failovers;
  }
  get #skipped(): string[] | undefined {
    return this.#extras?.skipped;
  }
  set #skipped(skipped: string[] | undefined) {
    if (skipped !== undefined || this.#extras !== undefined) this.#extra().skipped = skipped;
  }
  get #toolCalls(): ToolCall[] | undefined {
    return this.#extras?.toolCalls;
  }
  set #toolCalls(toolCalls: ToolCall[] | undefined) {
    if (toolCalls !== undefined || this.#extras !== undefined) this.#extra().toolCalls = toolCalls;
  }

  /** The request's id: the router's, or built from the request's start and number when first read (most never are). */
  get requestId(): string {
    this.#requestId ??= requestIdOf(this.#requestStartedAt, this.#requestNumber);
    return this.#requestId;
  }
  get policy(): Policy {
    return this.#shared.policy;
  }
  get events(): RouterEventEmitter {
    return this.#shared.events;
  }
  get clock(): () => number {
    return this.#shared.clock;
  }
  get budget(): BudgetLedger {
    return this.#shared.budget;
  }
  get promptTokens(): Record<string, number> {
    return this.#plan.promptTokens;
  }
  get cancellable(): boolean {
    return (this.#flags & cancellable) !== 0;
  }
  get wholeAnswers(): boolean {
    return (this.#flags & wholeAnswers) !== 0;
  }
  get #requestStartedAt(): number {
    return this.#shared.epoch + this.#startedAfterEpoch;
  }
  get #hedged(): boolean {
    return (this.#flags & hedged) !== 0;
  }

  get requestBudget(): RequestBudget {
    return this;
  }

  /** Listens for the caller signal's abort (an `EventListener` object, so no closure per request). */
  handleEvent(): void {
    this.requestAbort.abort(toAbortReason(this.request.signal?.reason));
  }

  /** Runs `prepare` and takes what it returns; not inline in `parts()`, whose frame lives as long as the request. */
  #start(prepare: () => ExecutionInput, collecting: boolean): void {
    const input = prepare();
    const { request, plan, shared } = input;
    const policy = shared.policy;
    const execution = policy.execution;
    this.#shared = shared;
    this.#plan = plan;
    this.#requestId = input.requestId;
    this.#requestNumber = input.requestNumber;
    this.request = request;
    this.#midStream = input.midStream ?? execution.midStream;
    if (input.deadlineAt !== undefined) this.#extra().deadlineAt = input.deadlineAt;
    const afterEpoch = shared.clock() - shared.epoch;
    // The difference of two doubles is a double: stored as is, it would make the field a heap number again.
    this.#startedAfterEpoch = (afterEpoch | 0) === afterEpoch ? afterEpoch | 0 : afterEpoch;
    const callerSignal = request.signal;
    const deadlineMs = request.routing?.deadlineMs;
    const requestAbort =
      callerSignal !== undefined || deadlineMs !== undefined ? new RequestAbort(true) : RequestAbort.never;
    this.requestAbort = requestAbort;
    const hedging = execution.hedgeAfterMs !== undefined && plan.plan.length > 1;
    if (
      requestAbort.possible ||
      execution.timeoutMs !== undefined ||
      execution.firstTokenTimeoutMs !== undefined ||
      execution.stallTimeoutMs !== undefined ||
      hedging
    ) {
      this.#flags |= cancellable;
    }
    this.capUsd = requestCapUsd(policy, request);
    this.telemetry = input.telemetry;
    // generate() shows nothing before the end: unless a timer or a hedge needs the first token, targets that offer it
    // answer whole (see `AttemptEnvironment.wholeAnswers`).
    if (
      collecting &&
      execution.firstTokenTimeoutMs === undefined &&
      execution.stallTimeoutMs === undefined &&
      !hedging
    ) {
      this.#flags |= wholeAnswers;
    }
  }

  /**
   * `stream()`'s driver: the next part of the stream that `parts` pulls (see {@link PlanStream}). The steps mirror an
   * async generator that would read: the decision part; then, per target in plan order, a refused circuit moves on, an
   * attempt is launched (raced against a hedge when allowed) and its parts are passed on until `finish`, which is
   * followed by usage (when reported), `finish` and the summary; a failure goes through `#recover`, whose failover
   * part (if any) is passed on before the next attempt; no target left ends the stream with `#exhausted`. The request
   * ends (`#end`) exactly once, when the stream ends, fails or is returned after the decision part.
   */
  step(parts: PlanStream): StreamStep {
    switch (parts.phase) {
      case streamFresh:
        // Validation and planning run on the first `next()`, so `stream()` reports bad input while iterating, as for
        // every other failure.
        try {
          this.#start(parts.prepare, false);
        } catch (error) {
          parts.phase = streamDone;
          return Promise.reject(error);
        }
        parts.phase = streamDecided;
        return { value: { type: 'route', phase: 'decision', plan: this.#plan }, done: false };
      case streamDecided:
        // Armed only after the decision part, so a consumer that stops there leaves no timer or listener behind.
        this.#arm();
        this.#current = this.#takeNext();
        parts.phase = streamRunning;
        return this.#streamNext(parts);
      case streamRunning:
        return this.#streamNext(parts);
      case streamReading:
        // One pair of reactions per stream, reused for every part (a long answer reads one part per token).
        parts.onPart ??= (part) => this.#streamPart(parts, parts.run!, part);
        parts.onFailure ??= (caught) => {
          const run = parts.run!;
          return this.#streamFailure(parts, run, this.#settleFailure(run, caught));
        };
        return parts.run!.nextPart().then(parts.onPart, parts.onFailure);
      case streamUsage: {
        const run = parts.run!;
        parts.phase = streamFinish;
        if (run.usage) return { value: { type: 'usage', usage: run.usage }, done: false };
        return this.step(parts);
      }
      case streamFinish:
        parts.phase = streamSummary;
        return { value: parts.finish!, done: false };
      case streamSummary: {
        const run = parts.run!;
        parts.phase = streamEnding;
        return { value: { type: 'route', phase: 'summary', route: this.#summarize(run) }, done: false };
      }
      case streamEnding:
        this.closeStream(parts);
        return streamEnded;
      default:
        return streamEnded;
    }
  }

  /** Ends the stream: the request too, unless it never started running (before or at the decision part). */
  closeStream(parts: PlanStream): void {
    const running = parts.phase !== streamFresh && parts.phase !== streamDecided && parts.phase !== streamDone;
    parts.phase = streamDone;
    parts.run = undefined;
    if (running) this.#end();
  }

  /** The next attempt on `#current` and its first part (the loop head of the stream); no target left ends it. */
  #streamNext(parts: PlanStream): Promise<IteratorResult<RouterStreamPart, void>> {
    try {
      const current = this.#current;
      if (current === undefined) throw this.#exhausted();
      if (!current.circuit.acquire(this.clock())) {
        return this.#passRefused(current).then(
          () => this.#streamNext(parts),
          (error: unknown) => this.#streamFail(parts, error),
        );
      }
      const launched = this.#launch(current);
      if (this.#mayHedge()) {
        return this.#firstOf(launched).then(
          (first) => {
            if (first.kind === 'failed') return this.#streamFailure(parts, first.run, first.error);
            return this.#streamFirst(parts, current, first.run, first.part);
          },
          (error: unknown) => this.#streamFail(parts, error),
        );
      }
      // No hedge: wait for the primary's first part directly (no race, no result object, no callbacks).
      return launched.nextPart().then(
        (part) => this.#streamFirst(parts, current, launched, part),
        (caught: unknown) => this.#streamFailure(parts, launched, this.#settleFailure(launched, caught)),
      );
    } catch (error) {
      return this.#streamFail(parts, error);
    }
  }

  /** The first part of the run that answers for `current`. */
  #streamFirst(parts: PlanStream, current: TargetHealth, run: AttemptRun, part: StreamPart): StreamStep {
    if (run.health !== current) this.#retriesUsed = 0;
    this.#current = run.health;
    return this.#streamPart(parts, run, part);
  }

  /** A part of `run`: passed on (its text and tool calls counted); `finish` books the run and starts the tail. */
  #streamPart(parts: PlanStream, run: AttemptRun, part: StreamPart): StreamStep {
    try {
      if (part.type === 'finish') {
        run.succeed();
        this.#dropLive(run);
        parts.run = run;
        parts.finish = part;
        parts.phase = streamUsage;
        return this.step(parts);
      }
      this.#firstEmittedAt ??= this.clock();
      if (part.type === 'text-delta') this.#emittedText += part.text;
      else if (part.type === 'tool-call') this.#emittedToolCalls += 1;
    } catch (caught) {
      return this.#streamFailure(parts, run, this.#settleFailure(run, caught));
    }
    parts.run = run;
    parts.phase = streamReading;
    return { value: part, done: false };
  }

  /** After `failedRun` failed: the failover part when there is one, else the next attempt (or the stream's end). */
  #streamFailure(
    parts: PlanStream,
    failedRun: AttemptRun,
    error: SwitchyardError,
  ): Promise<IteratorResult<RouterStreamPart, void>> {
    parts.run = undefined;
    parts.phase = streamRunning;
    return this.#recover(failedRun, error).then(
      (failover) => (failover === undefined ? this.#streamNext(parts) : { value: failover, done: false }),
      (fatal: unknown) => this.#streamFail(parts, fatal),
    );
  }

  /** Ends a stream that failed; the error is the stream's. */
  #streamFail(parts: PlanStream, error: unknown): Promise<never> {
    this.closeStream(parts);
    return Promise.reject(error);
  }

  /**
   * `generate()`'s driver: the loop of `parts()` as a chain of promises, folding each part into the answer where the
   * stream would yield it. No generator: while the target thinks, the request holds the executor, its attempt and one
   * pending promise, not a suspended generator with its registers, request queue and await closures (bench row 5). A
   * whole answer (`AttemptRun.answer()`) is booked and folded in one step, without a microtask per part. Every step
   * mirrors the one in `parts()` it is named after; the request ends (`#end`) exactly once, before the returned
   * promise settles.
   */
  collect(prepare: () => ExecutionInput): Promise<CollectedAnswer> {
    try {
      this.#start(prepare, true);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#arm();
    this.#current = this.#takeNext();
    return this.#collectNext();
  }

  /** Starts the next attempt on `#current`, or ends the request when no target is left. */
  #collectNext(): Promise<CollectedAnswer> {
    try {
      const current = this.#current;
      if (current === undefined) throw this.#exhausted();
      if (!current.circuit.acquire(this.clock())) {
        return this.#passRefused(current).then(
          () => this.#collectNext(),
          (error: unknown) => this.#fail(error),
        );
      }
      const launched = this.#launch(current);
      // A whole answer never races a hedge: `wholeAnswers` is off when the plan has a second target to hedge with.
      if (this.#mayHedge() && !launched.whole) {
        return this.#firstOf(launched).then(
          (first) => {
            if (first.kind === 'failed') return this.#collectFailure(first.run, first.error);
            if (first.run.health !== current) this.#retriesUsed = 0;
            this.#current = first.run.health;
            return this.#collectPart(first.run, first.part);
          },
          (error: unknown) => this.#fail(error),
        );
      }
      return this.#collectFrom(launched);
    } catch (error) {
      return this.#fail(error);
    }
  }

  /** Waits for `run`'s whole answer, or its next part. Two closures per wait, over the run: none lives in a field. */
  #collectFrom(run: AttemptRun): Promise<CollectedAnswer> {
    const failed = (caught: unknown) => this.#collectFailure(run, this.#settleFailure(run, caught));
    if (run.whole) return run.answer().then((result) => this.#collectWhole(run, result), failed);
    return run.nextPart().then((part) => this.#collectPart(run, part), failed);
  }

  /** A streamed part of `run`: folded, then the next one is awaited; `finish` ends the request. */
  #collectPart(run: AttemptRun, part: StreamPart): CollectedAnswer | Promise<CollectedAnswer> {
    try {
      if (part.type === 'finish') return this.#collectFinish(run, part);
      this.#collect(part);
    } catch (caught) {
      return this.#collectFailure(run, this.#settleFailure(run, caught));
    }
    return this.#collectFrom(run);
  }

  /** `run`'s whole answer, folded part by part as its stream would have been, in one step. */
  #collectWhole(run: AttemptRun, result: GenerateResult): CollectedAnswer | Promise<CollectedAnswer> {
    try {
      for (const part of run.takeWhole(result)) {
        if (part.type === 'finish') return this.#collectFinish(run, part);
        this.#collect(part);
      }
      // `takeWhole` always ends with `finish`; reaching here would be a bug in the executor.
      throw new InvalidResponseError({ message: `Target "${run.name}" answered without a finish`, target: run.name });
    } catch (caught) {
      return this.#collectFailure(run, this.#settleFailure(run, caught));
    }
  }

  /** The request's last step on success: `run` is booked, the answer built, the request ended. */
  #collectFinish(run: AttemptRun, finish: FinishPart): CollectedAnswer {
    run.succeed();
    this.#dropLive(run);
    const answer = this.#collectAnswer(run, finish);
    this.#end();
    return answer;
  }

  /** After `failedRun` failed: the same recovery as the stream's, then the next attempt (or the request's end). */
  #collectFailure(failedRun: AttemptRun, error: SwitchyardError): Promise<CollectedAnswer> {
    return this.#recover(failedRun, error).then(
      (failover) => this.#afterRecover(failover),
      (fatal: unknown) => this.#fail(fatal),
    );
  }

  #afterRecover(failover: RouterStreamPart | undefined): Promise<CollectedAnswer> {
    try {
      if (failover !== undefined) this.telemetry?.observe(failover);
    } catch (error) {
      return this.#fail(error);
    }
    return this.#collectNext();
  }

  /** Ends a collecting request that failed; the error is the request's. */
  #fail(error: unknown): Promise<never> {
    this.#end();
    return Promise.reject(error);
  }

  /** A text or tool-call part, collected where the stream would yield it (see `parts()`). */
  #collect(part: StreamPart): void {
    this.#firstEmittedAt ??= this.clock();
    if (part.type === 'text-delta') this.#emittedText += part.text;
    else if (part.type === 'tool-call') {
      this.#emittedToolCalls += 1;
      if (this.#toolCalls === undefined) this.#toolCalls = [part.toolCall];
      else this.#toolCalls.push(part.toolCall);
    }
    this.telemetry?.observe(part);
  }

  /** The answer of a collecting execution, after `run` finished; the trace observes what a stream would have ended with. */
  #collectAnswer(run: AttemptRun, finish: FinishPart): CollectedAnswer {
    const route = this.#summarize(run);
    const telemetry = this.telemetry;
    if (telemetry !== undefined) {
      if (run.usage) telemetry.observe({ type: 'usage', usage: run.usage });
      telemetry.observe(finish);
      telemetry.observe({ type: 'route', phase: 'summary', route });
    }
    const answer: CollectedAnswer = {
      text: this.#emittedText,
      toolCalls: this.#toolCalls ?? [],
      finishReason: finish.finishReason,
      // Reported usage, else the estimate the attempt recorded when it closed (a successful attempt always has one).
      usage: route.usage ?? { inputTokens: 0, outputTokens: 0 },
      route,
    };
    if (route.usageEstimated) answer.usageEstimated = true;
    return answer;
  }

  /** Armed only after the decision part, so a consumer that stops there leaves no timer or listener behind. */
  #arm(): void {
    const callerSignal = this.request.signal;
    if (callerSignal?.aborted) this.handleEvent();
    else callerSignal?.addEventListener('abort', this, { once: true });
    const deadlineMs = this.request.routing?.deadlineMs;
    if (deadlineMs !== undefined) {
      const deadlineAt = this.#extras?.deadlineAt;
      this.#deadlineTimer = setTimeout(
        () => this.requestAbort.abort(new TimeoutError({ timeoutMs: deadlineMs, phase: 'deadline' })),
        deadlineAt === undefined ? deadlineMs : deadlineAt - this.clock(),
      );
    }
  }

  /**
   * After `failedRun` failed with `failure`: throws when the request ends here; else sets `#current` to what runs next
   * (the same target again, or the next one in plan order) and returns the `failover` part to emit, if any. A method
   * of its own so its locals do not widen the generator's frame, which lives as long as the request does.
   */
  async #recover(failedRun: AttemptRun, failure: SwitchyardError): Promise<RouterStreamPart | undefined> {
    const { requestAbort, clock } = this;
    const execution = this.policy.execution;
    const current = this.#current!;
    // The caller's abort and the request deadline end the request; they never fail over.
    if (requestAbort.reason !== undefined) throw requestAbort.reason;
    if (this.#emittedToolCalls > 0) {
      throw new AllTargetsFailedError({
        attempts: this.#failures ?? [],
        message: `Target "${failedRun.name}" failed after emitting a tool call; not failing over, so the tool call is not emitted twice: ${failure.message}`,
      });
    }
    if (this.#emittedText !== '' && this.#midStream === 'error') throw this.#interrupted('mid-stream-error');

    let next: TargetHealth | undefined;
    const sameTarget = failedRun.health === current && !this.#hedged;
    if (
      sameTarget &&
      failure.isRetryable &&
      this.#retriesUsed < execution.retries &&
      (this.#emittedText === '' || this.#midStream === 'restart' || (await this.#canContinue(current)))
    ) {
      const delay = retryDelayMs(this.#retriesUsed, execution.backoff, failure, this.#shared.random);
      const deadlineMs = this.request.routing?.deadlineMs;
      const left =
        deadlineMs === undefined
          ? Number.POSITIVE_INFINITY
          : (this.#extras?.deadlineAt ?? this.#requestStartedAt + deadlineMs) - clock();
      if (delay < left) {
        this.#retriesUsed += 1;
        next = current;
        await abortableDelay(delay, requestAbort).done;
        if (requestAbort.reason !== undefined) throw requestAbort.reason;
      }
    }
    if (next === undefined) {
      next = await this.#nextTarget();
      this.#retriesUsed = 0;
      if (next === undefined) throw this.#exhausted();
      this.#fallbacks += 1;
      const fallbackEvent = {
        requestId: this.requestId,
        from: failedRun.name,
        to: next.name,
        error: { code: failure.code, message: failure.message },
      };
      this.events.emit('fallback', fallbackEvent);
      this.telemetry?.failedOver(fallbackEvent);
    }
    this.#current = next;
    if (this.#emittedText === '') return undefined;
    // In `continue` mode only targets that can continue get here; `restart` mode also takes the others.
    const mode = next.target.capabilities.continuation === true ? 'continue' : 'restart';
    this.#failovers ??= [];
    this.#failovers.push({ from: failedRun.name, to: next.name, mode, afterChars: this.#emittedText.length });
    // A restart drops the text so far; the consumer is told by the part returned here, emitted before anything else.
    if (mode === 'restart') this.#emittedText = '';
    return {
      type: 'failover',
      from: failedRun.name,
      to: next.name,
      mode,
      error: { code: failure.code, message: failure.message },
    };
  }

  /** Clears the deadline and the caller-signal listener, and cancels whatever attempt is still live. */
  #end(): void {
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.request.signal?.removeEventListener('abort', this);
    const live = this.#live;
    const hedge = this.#liveHedge;
    this.#live = undefined;
    this.#liveHedge = undefined;
    live?.cancel('aborted');
    hedge?.cancel('aborted');
  }

  /**
   * `current`'s circuit refused the attempt: books it and moves `#current` to the next target (a fallback when there is
   * one). Both drivers (stream and collect) go on from there.
   */
  #passRefused(current: TargetHealth): Promise<void> {
    const error = new TargetUnavailableError({ target: current.name, reason: 'circuit breaker is open' });
    this.#addFailure({ target: current.name, error });
    this.#addAttempt({
      target: current.name,
      outcome: 'error',
      error: { code: error.code, message: error.message, isRetryable: false },
      startedAt: this.clock(),
      durationMs: 0,
    });
    return this.#nextTarget().then((next) => {
      if (next) this.#fallbacks += 1;
      this.#current = next;
      this.#retriesUsed = 0;
    });
  }

  #takeNext(): TargetHealth | undefined {
    const plan = this.#plan;
    const targets = plan.plan;
    while (this.#nextIndex < targets.length) {
      const health = this.#shared.health.get(targets[this.#nextIndex++]!.target);
      // Defence in depth for fail-closed privacy: the plan already holds only local targets.
      if (health && (!plan.privacy.private || health.target.locality === 'local')) return health;
    }
    return undefined;
  }

  /**
   * Whether `health` continues an assistant prefix. A target that has not said yet (`continuation` undefined, e.g. an
   * OpenAI-compatible endpoint whose server type is still unknown) is asked once through its status check, which is
   * where adapters detect it; the answer is cached by the adapter.
   */
  async #canContinue(health: TargetHealth): Promise<boolean> {
    const target = health.target;
    if (target.capabilities.continuation === undefined && target.checkStatus) {
      const controller = new AbortController();
      const unsubscribe = this.requestAbort.onAbort(() => controller.abort());
      try {
        await target.checkStatus({ signal: controller.signal });
      } catch {
        // A failed check leaves the capability unknown, which counts as "cannot continue".
      } finally {
        unsubscribe();
      }
    }
    return target.capabilities.continuation === true;
  }

  /** The next target in plan order; after text was delivered in `continue` mode, only one that can continue it. */
  async #nextTarget(): Promise<TargetHealth | undefined> {
    let next = this.#takeNext();
    if (this.#emittedText === '' || this.#midStream !== 'continue') return next;
    while (next !== undefined && !(await this.#canContinue(next))) {
      this.#skipped ??= [];
      this.#skipped.push(next.name);
      next = this.#takeNext();
    }
    return next;
  }

  #launch(health: TargetHealth): AttemptRun {
    const emitted = this.#emittedText;
    const prefix = emitted !== '' && health.target.capabilities.continuation ? emitted : undefined;
    const run = new AttemptRun(health, this, prefix);
    if (this.#live === undefined) this.#live = run;
    else this.#liveHedge = run;
    this.#addAttempt(run.record);
    return run;
  }

  #addFailure(failure: FailedAttempt): void {
    if (this.#failures === undefined) this.#failures = [failure];
    else this.#failures.push(failure);
  }

  #addAttempt(attempt: Attempt): void {
    const attempts = this.#attempts;
    if (attempts === undefined) this.#attempts = attempt;
    else if (Array.isArray(attempts)) attempts.push(attempt);
    else this.#attempts = [attempts, attempt];
  }

  /** Every attempt's record, as the route summary lists them. */
  #attemptList(): Attempt[] {
    const attempts = this.#attempts;
    if (attempts === undefined) return [];
    if (Array.isArray(attempts)) return attempts;
    const list = [attempts];
    this.#attempts = list;
    return list;
  }

  #isLive(run: AttemptRun): boolean {
    return this.#live === run || this.#liveHedge === run;
  }

  #dropLive(run: AttemptRun): void {
    if (this.#live === run) {
      this.#live = this.#liveHedge;
      this.#liveHedge = undefined;
    } else if (this.#liveHedge === run) this.#liveHedge = undefined;
  }

  #settleFailure(run: AttemptRun, caught: unknown): SwitchyardError {
    const error = run.classify(caught);
    run.fail(error);
    this.#dropLive(run);
    this.#addFailure({ target: run.name, error });
    return error;
  }

  /** Whether the first part of the next attempt may be raced against a hedge. */
  #mayHedge(): boolean {
    return (
      this.policy.execution.hedgeAfterMs !== undefined &&
      !this.#hedged &&
      this.#emittedText === '' &&
      this.#emittedToolCalls === 0
    );
  }

  /** The first part of whichever run wins: the primary's, or, when it is slow, possibly a hedge's. */
  async #firstOf(primary: AttemptRun): Promise<FirstResult> {
    const { requestId, events } = this;
    const settled = primary.nextPart().then(
      (part): FirstResult => ({ kind: 'won', run: primary, part }),
      (error: unknown): FirstResult => ({ kind: 'failed', run: primary, error: this.#settleFailure(primary, error) }),
    );
    const hedgeTimer = abortableDelay(this.policy.execution.hedgeAfterMs!, this.requestAbort);
    const early = await Promise.race([settled, hedgeTimer.done]);
    hedgeTimer.cancel();
    if (early !== true) return early === false ? settled : early;
    let secondaryHealth = this.#takeNext();
    while (secondaryHealth && !secondaryHealth.circuit.acquire(this.clock())) secondaryHealth = this.#takeNext();
    if (!secondaryHealth) return settled;
    this.#flags |= hedged;
    const secondary = this.#launch(secondaryHealth);
    const hedgeEvent = { requestId, primary: primary.name, secondary: secondary.name };
    events.emit('hedge', hedgeEvent);
    this.telemetry?.hedged(hedgeEvent);
    const secondarySettled = secondary.nextPart().then(
      (part): FirstResult => ({ kind: 'won', run: secondary, part }),
      (error: unknown): FirstResult => ({
        kind: 'failed',
        run: secondary,
        error: this.#settleFailure(secondary, error),
      }),
    );
    // First token wins; a failure only decides the race when the other run failed too.
    const result = await new Promise<FirstResult>((resolve) => {
      let failed = 0;
      const onResult = (outcome: FirstResult) => {
        if (outcome.kind === 'won') resolve(outcome);
        else if (++failed === 2) resolve(outcome);
      };
      settled.then(onResult);
      secondarySettled.then(onResult);
    });
    if (result.kind === 'won') {
      const loser = result.run === primary ? secondary : primary;
      if (this.#isLive(loser)) {
        loser.cancel('hedge-lost');
        this.#dropLive(loser);
      }
      const wonEvent = { requestId, primary: primary.name, secondary: secondary.name, winner: result.run.name };
      events.emit('hedge', wonEvent);
      this.telemetry?.hedged(wonEvent);
    }
    return result;
  }

  #summarize(winner: AttemptRun | undefined): RouteSummary {
    const now = this.clock();
    const attempts = this.#attemptList();
    let costUsd = 0;
    for (const attempt of attempts) costUsd += attempt.costUsd ?? 0;
    const summary: RouteSummary = {
      target: winner?.name,
      locality: winner?.health.target.locality,
      plan: this.#plan,
      attempts,
      fallbacks: this.#fallbacks,
      hedged: this.#hedged,
      costUsd,
    };
    if (this.#failovers !== undefined) summary.failovers = this.#failovers;
    const usage = winner?.record.usage;
    if (usage !== undefined) {
      summary.usage = usage;
      if (winner!.record.usageEstimated) summary.usageEstimated = true;
    }
    // A winner that answered whole has no time to first token (its first token came with its last).
    if (this.#firstEmittedAt !== undefined && winner?.whole !== true) {
      summary.ttftMs = this.#firstEmittedAt - this.#requestStartedAt;
    }
    const tokensPerSecond = winner?.tokensPerSecond(now);
    if (tokensPerSecond !== undefined) summary.tokensPerSecond = tokensPerSecond;
    return summary;
  }

  /** The stream broke after text was delivered and is not carried on: the consumer keeps exactly `emittedText`. */
  #interrupted(reason: 'no-continuation' | 'mid-stream-error'): StreamInterruptedError<RouteSummary> {
    return new StreamInterruptedError({
      partialText: this.#emittedText,
      attempts: this.#failures ?? [],
      route: this.#summarize(undefined),
      skipped: this.#skipped ?? [],
      reason,
    });
  }

  /** No target left: a typed interruption when text was delivered (nothing may follow it), else every target failed. */
  #exhausted(): SwitchyardError {
    if (this.#emittedText !== '') return this.#interrupted('no-continuation');
    // Every target was refused for budget: say so (a gateway answers 429), rather than "all targets failed".
    const failures = this.#failures ?? [];
    const last = failures.at(-1)?.error;
    if (last !== undefined && failures.every((failure) => BudgetExceededError.isInstance(failure.error))) return last;
    return new AllTargetsFailedError({ attempts: failures });
  }
}
