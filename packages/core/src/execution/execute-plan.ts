import type { FailedAttempt, GenerateRequest, StreamPart } from '@switchyard/contract';
import {
  AbortError,
  AllTargetsFailedError,
  BudgetExceededError,
  StreamInterruptedError,
  SwitchyardError,
  TargetUnavailableError,
  TimeoutError,
} from '@switchyard/contract';
import type { RoutePlan } from '../decision/route-plan.js';
import type { MidStreamFailover, RouterEventEmitter, RouteSummary } from '../events.js';
import type { MidStreamMode, Policy } from '../policy/policy.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import type { RequestTrace } from '../telemetry/request-trace.js';
import { AttemptRun } from './attempt-run.js';
import type { BudgetLedger } from './budget-ledger.js';
import { abortableDelay, RequestAbort } from './request-abort.js';
import { retryDelayMs } from './retry-delay.js';
import type { TargetHealth } from './target-health.js';

/** What one execution needs from the router. */
export interface ExecutionInput {
  requestId: string;
  request: GenerateRequest;
  plan: RoutePlan;
  policy: Policy;
  health: ReadonlyMap<string, TargetHealth>;
  events: RouterEventEmitter;
  clock: () => number;
  random: () => number;
  /** The period budget, bound through the router's state store. */
  budget: BudgetLedger;
  /** Present only when an OpenTelemetry provider records this request. */
  telemetry?: RequestTrace;
  /** Overrides `policy.execution.midStream` (`generate()` restarts internally: nothing has been shown). */
  midStream?: MidStreamMode;
}

type FirstResult =
  | { kind: 'won'; run: AttemptRun; part: StreamPart }
  | { kind: 'failed'; run: AttemptRun; error: SwitchyardError };

/**
 * Runs a plan: the decision part first; then, per target in plan order, attempts with retries for retryable errors;
 * hedging before the first token; after the first token, failover only to targets that continue the partial answer
 * (a visible restart only with `midStream: 'restart'`, else `StreamInterruptedError`); and the summary part last. Every plan is finite and each target is left behind for good once the executor moves on, so it never loops.
 * A private request's plan holds only local targets, and the executor re-checks that before every attempt.
 */
export async function* executePlan(prepare: () => ExecutionInput): AsyncGenerator<RouterStreamPart, void, undefined> {
  // Validation and planning run on the first `next()`, so `stream()` reports bad input while iterating, as for
  // every other failure, and `generate()` as a rejection; one generator layer instead of a wrapper around this one.
  const input = prepare();
  const { request, plan, policy, events, clock, requestId } = input;
  const execution = policy.execution;
  const midStream = input.midStream ?? execution.midStream;
  const requestStartedAt = clock();
  yield { type: 'route', phase: 'decision', plan };

  const callerSignal = request.signal;
  const deadlineMs = request.routing?.deadlineMs;
  const requestAbort =
    callerSignal !== undefined || deadlineMs !== undefined ? new RequestAbort(true) : RequestAbort.never;
  const onCallerAbort = () => requestAbort.abort(toAbortReason(callerSignal?.reason));
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  const deadlineTimer =
    deadlineMs === undefined
      ? undefined
      : setTimeout(
          () => requestAbort.abort(new TimeoutError({ timeoutMs: deadlineMs, phase: 'deadline' })),
          deadlineMs,
        );
  const { routing: _routing, signal: _callerSignal, ...callFields } = request;
  const environment = {
    requestId,
    request,
    callFields,
    policy,
    events,
    clock,
    requestAbort,
    cancellable:
      requestAbort.possible ||
      execution.timeoutMs !== undefined ||
      execution.firstTokenTimeoutMs !== undefined ||
      execution.stallTimeoutMs !== undefined ||
      (execution.hedgeAfterMs !== undefined && plan.plan.length > 1),
    promptTokens: plan.promptTokens,
    budget: input.budget,
    requestBudget: { capUsd: requestCapUsd(policy, request), committedUsd: 0 },
    telemetry: input.telemetry,
  };

  let nextIndex = 0;
  const takeNext = (): TargetHealth | undefined => {
    while (nextIndex < plan.plan.length) {
      const health = input.health.get(plan.plan[nextIndex++]!.target);
      // Defence in depth for fail-closed privacy: the plan already holds only local targets.
      if (health && (!plan.privacy.private || health.target.locality === 'local')) return health;
    }
    return undefined;
  };

  /**
   * Whether `health` continues an assistant prefix. A target that has not said yet (`continuation` undefined, e.g. an
   * OpenAI-compatible endpoint whose server type is still unknown) is asked once through its status check, which is
   * where adapters detect it; the answer is cached by the adapter.
   */
  const canContinue = async (health: TargetHealth): Promise<boolean> => {
    const target = health.target;
    if (target.capabilities.continuation === undefined && target.checkStatus) {
      const controller = new AbortController();
      const unsubscribe = requestAbort.onAbort(() => controller.abort());
      try {
        await target.checkStatus({ signal: controller.signal });
      } catch {
        // A failed check leaves the capability unknown, which counts as "cannot continue".
      } finally {
        unsubscribe();
      }
    }
    return target.capabilities.continuation === true;
  };
  /** The next target in plan order; after text was delivered in `continue` mode, only one that can continue it. */
  const nextTarget = async (): Promise<TargetHealth | undefined> => {
    let next = takeNext();
    if (emittedText === '' || midStream !== 'continue') return next;
    while (next !== undefined && !(await canContinue(next))) {
      skipped.push(next.name);
      next = takeNext();
    }
    return next;
  };

  const attempts: RouteSummary['attempts'] = [];
  const failures: FailedAttempt[] = [];
  // At most two runs are live (a hedge): an array is smaller than a Set, and memory per in-flight request counts.
  const live: AttemptRun[] = [];
  const dropLive = (run: AttemptRun) => {
    const index = live.indexOf(run);
    if (index !== -1) live.splice(index, 1);
  };
  let emittedText = '';
  let emittedToolCalls = 0;
  const failovers: MidStreamFailover[] = [];
  /** Targets passed over after the first token because they cannot continue the partial answer. */
  const skipped: string[] = [];
  let firstEmittedAt: number | undefined;
  let fallbacks = 0;
  let hedged = false;

  const launch = (health: TargetHealth): AttemptRun => {
    const prefix = emittedText !== '' && health.target.capabilities.continuation ? emittedText : undefined;
    const run = new AttemptRun(health, environment, prefix);
    live.push(run);
    attempts.push(run.record);
    return run;
  };
  const settleFailure = (run: AttemptRun, caught: unknown): SwitchyardError => {
    const error = run.classify(caught);
    run.fail(error);
    dropLive(run);
    failures.push({ target: run.name, error });
    return error;
  };

  /** The primary's first part, or, when hedging is on and it is slow, the first part of whichever run wins. */
  const firstOf = async (primary: AttemptRun): Promise<FirstResult> => {
    const primaryFirst = primary.nextPart();
    const settled = primaryFirst.then(
      (part): FirstResult => ({ kind: 'won', run: primary, part }),
      (error: unknown): FirstResult => ({ kind: 'failed', run: primary, error: settleFailure(primary, error) }),
    );
    const hedgeAfter = execution.hedgeAfterMs;
    if (hedgeAfter === undefined || hedged || emittedText !== '' || emittedToolCalls > 0) return settled;
    const hedgeTimer = abortableDelay(hedgeAfter, requestAbort);
    const early = await Promise.race([settled, hedgeTimer.done]);
    hedgeTimer.cancel();
    if (early !== true) return early === false ? settled : early;
    let secondaryHealth = takeNext();
    while (secondaryHealth && !secondaryHealth.circuit.acquire(clock())) secondaryHealth = takeNext();
    if (!secondaryHealth) return settled;
    hedged = true;
    const secondary = launch(secondaryHealth);
    const hedgeEvent = { requestId, primary: primary.name, secondary: secondary.name };
    events.emit('hedge', hedgeEvent);
    input.telemetry?.hedged(hedgeEvent);
    const secondarySettled = secondary.nextPart().then(
      (part): FirstResult => ({ kind: 'won', run: secondary, part }),
      (error: unknown): FirstResult => ({ kind: 'failed', run: secondary, error: settleFailure(secondary, error) }),
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
      if (live.includes(loser)) {
        loser.cancel('hedge-lost');
        dropLive(loser);
      }
      const wonEvent = { requestId, primary: primary.name, secondary: secondary.name, winner: result.run.name };
      events.emit('hedge', wonEvent);
      input.telemetry?.hedged(wonEvent);
    }
    return result;
  };

  let current = takeNext();
  let retriesUsed = 0;
  try {
    while (current !== undefined) {
      if (!current.circuit.acquire(clock())) {
        const error = new TargetUnavailableError({ target: current.name, reason: 'circuit breaker is open' });
        failures.push({ target: current.name, error });
        attempts.push({
          target: current.name,
          outcome: 'error',
          error: { code: error.code, message: error.message, isRetryable: false },
          startedAt: clock(),
          durationMs: 0,
        });
        const next = await nextTarget();
        if (next) fallbacks += 1;
        current = next;
        retriesUsed = 0;
        continue;
      }

      const first = await firstOf(launch(current));
      let failedRun: AttemptRun;
      let error: SwitchyardError;
      if (first.kind === 'won') {
        const run = first.run;
        if (run.health !== current) retriesUsed = 0;
        current = run.health;
        let part: StreamPart = first.part;
        try {
          for (;;) {
            if (part.type === 'finish') {
              run.succeed();
              dropLive(run);
              if (run.usage) yield { type: 'usage', usage: run.usage };
              yield part;
              yield { type: 'route', phase: 'summary', route: summarize(run) };
              return;
            }
            firstEmittedAt ??= clock();
            if (part.type === 'text-delta') emittedText += part.text;
            else if (part.type === 'tool-call') emittedToolCalls += 1;
            yield part;
            part = await run.nextPart();
          }
        } catch (caught) {
          failedRun = run;
          error = settleFailure(run, caught);
        }
      } else {
        failedRun = first.run;
        error = first.error;
      }

      // The caller's abort and the request deadline end the request; they never fail over.
      if (requestAbort.reason !== undefined) throw requestAbort.reason;
      if (emittedToolCalls > 0) {
        throw new AllTargetsFailedError({
          attempts: failures,
          message: `Target "${failedRun.name}" failed after emitting a tool call; not failing over, so the tool call is not emitted twice: ${error.message}`,
        });
      }
      if (emittedText !== '' && midStream === 'error') throw interrupted('mid-stream-error');

      let next: TargetHealth | undefined;
      const sameTarget = failedRun.health === current && !hedged;
      if (
        sameTarget &&
        error.isRetryable &&
        retriesUsed < execution.retries &&
        (emittedText === '' || midStream === 'restart' || (await canContinue(current)))
      ) {
        const delay = retryDelayMs(retriesUsed, execution.backoff, error, input.random);
        const left = deadlineMs === undefined ? Number.POSITIVE_INFINITY : requestStartedAt + deadlineMs - clock();
        if (delay < left) {
          retriesUsed += 1;
          next = current;
          await abortableDelay(delay, requestAbort).done;
          if (requestAbort.reason !== undefined) throw requestAbort.reason;
        }
      }
      if (next === undefined) {
        next = await nextTarget();
        retriesUsed = 0;
        if (next === undefined) throw exhausted();
        fallbacks += 1;
        const fallbackEvent = {
          requestId,
          from: failedRun.name,
          to: next.name,
          error: { code: error.code, message: error.message },
        };
        events.emit('fallback', fallbackEvent);
        input.telemetry?.failedOver(fallbackEvent);
      }
      if (emittedText !== '') {
        // In `continue` mode only targets that can continue get here; `restart` mode also takes the others.
        const mode = next.target.capabilities.continuation === true ? 'continue' : 'restart';
        failovers.push({ from: failedRun.name, to: next.name, mode, afterChars: emittedText.length });
        yield {
          type: 'failover',
          from: failedRun.name,
          to: next.name,
          mode,
          error: { code: error.code, message: error.message },
        };
        if (mode === 'restart') emittedText = '';
      }
      current = next;
    }
    throw exhausted();
  } finally {
    if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    for (const run of live) run.cancel('aborted');
    live.length = 0;
  }

  function summarize(winner: AttemptRun | undefined): RouteSummary {
    const now = clock();
    let costUsd = 0;
    for (const attempt of attempts) costUsd += attempt.costUsd ?? 0;
    const summary: RouteSummary = {
      target: winner?.name,
      locality: winner?.health.target.locality,
      plan,
      attempts,
      fallbacks,
      hedged,
      costUsd,
    };
    if (failovers.length > 0) summary.failovers = failovers;
    if (firstEmittedAt !== undefined) summary.ttftMs = firstEmittedAt - requestStartedAt;
    const tokensPerSecond = winner?.tokensPerSecond(now);
    if (tokensPerSecond !== undefined) summary.tokensPerSecond = tokensPerSecond;
    return summary;
  }

  /** The stream broke after text was delivered and is not carried on: the consumer keeps exactly `emittedText`. */
  function interrupted(reason: 'no-continuation' | 'mid-stream-error'): StreamInterruptedError<RouteSummary> {
    return new StreamInterruptedError({
      partialText: emittedText,
      attempts: failures,
      route: summarize(undefined),
      skipped,
      reason,
    });
  }

  /** No target left: a typed interruption when text was delivered (nothing may follow it), else every target failed. */
  function exhausted(): SwitchyardError {
    if (emittedText !== '') return interrupted('no-continuation');
    // Every target was refused for budget: say so (a gateway answers 429), rather than "all targets failed".
    const last = failures.at(-1)?.error;
    if (last !== undefined && failures.every((failure) => BudgetExceededError.isInstance(failure.error))) return last;
    return new AllTargetsFailedError({ attempts: failures });
  }
}

/** The per-request cap: the policy's and the request's own, whichever is lower. */
export function requestCapUsd(policy: Policy, request: GenerateRequest): number | undefined {
  const fromPolicy = policy.budget.maxCostUsdPerRequest;
  const fromRequest = request.routing?.maxCostUsd;
  if (fromPolicy === undefined) return fromRequest;
  if (fromRequest === undefined) return fromPolicy;
  return Math.min(fromPolicy, fromRequest);
}

/** An abort reason as a Switchyard error: our own deadline `TimeoutError` stays; anything else is an `AbortError`. */
function toAbortReason(reason: unknown): SwitchyardError {
  if (SwitchyardError.isInstance(reason)) return reason;
  return new AbortError({ cause: reason });
}
