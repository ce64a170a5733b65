import type { FailedAttempt, GenerateRequest, StreamPart } from '@switchyard/contract';
import {
  AbortError,
  AllTargetsFailedError,
  SwitchyardError,
  TargetUnavailableError,
  TimeoutError,
} from '@switchyard/contract';
import type { RoutePlan } from '../decision/route-plan.js';
import type { RouterEventEmitter, RouteSummary } from '../events.js';
import type { Policy } from '../policy/policy.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import type { RequestTrace } from '../telemetry/request-trace.js';
import { AttemptRun } from './attempt-run.js';
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
  /** Adds to the router's spend over the given policy's budget period. */
  chargeBudget: (usd: number, policy: Policy) => void;
  /** Present only when an OpenTelemetry provider records this request. */
  telemetry?: RequestTrace;
}

type FirstResult =
  | { kind: 'won'; run: AttemptRun; part: StreamPart }
  | { kind: 'failed'; run: AttemptRun; error: SwitchyardError };

/**
 * Runs a plan: the decision part first; then, per target in plan order, attempts with retries for retryable errors;
 * hedging before the first token; failover that continues (or visibly restarts) mid-stream; and the summary part
 * last. Every plan is finite and each target is left behind for good once the executor moves on, so it never loops.
 * A private request's plan holds only local targets, and the executor re-checks that before every attempt.
 */
export async function* executePlan(prepare: () => ExecutionInput): AsyncGenerator<RouterStreamPart, void, undefined> {
  // Validation and planning run on the first `next()`, so `stream()` reports bad input while iterating, as for
  // every other failure, and `generate()` as a rejection; one generator layer instead of a wrapper around this one.
  const input = prepare();
  const { request, plan, policy, events, clock, requestId } = input;
  const execution = policy.execution;
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
    chargeBudget: input.chargeBudget,
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
    events.emit('hedge', { requestId, primary: primary.name, secondary: secondary.name });
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
      events.emit('hedge', { requestId, primary: primary.name, secondary: secondary.name, winner: result.run.name });
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
        const next = takeNext();
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

      let next: TargetHealth | undefined;
      const sameTarget = failedRun.health === current && !hedged;
      if (sameTarget && error.isRetryable && retriesUsed < execution.retries) {
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
        next = takeNext();
        retriesUsed = 0;
        if (next === undefined) throw new AllTargetsFailedError({ attempts: failures });
        fallbacks += 1;
        events.emit('fallback', {
          requestId,
          from: failedRun.name,
          to: next.name,
          error: { code: error.code, message: error.message },
        });
      }
      if (emittedText !== '') {
        const mode = next.target.capabilities.continuation ? 'continue' : 'restart';
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
    throw new AllTargetsFailedError({ attempts: failures });
  } finally {
    if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    for (const run of live) run.cancel('aborted');
    live.length = 0;
  }

  function summarize(winner: AttemptRun): RouteSummary {
    const now = clock();
    let costUsd = 0;
    for (const attempt of attempts) costUsd += attempt.costUsd ?? 0;
    const summary: RouteSummary = {
      target: winner.name,
      locality: winner.health.target.locality,
      plan,
      attempts,
      fallbacks,
      hedged,
      costUsd,
    };
    if (firstEmittedAt !== undefined) summary.ttftMs = firstEmittedAt - requestStartedAt;
    const tokensPerSecond = winner.tokensPerSecond(now);
    if (tokensPerSecond !== undefined) summary.tokensPerSecond = tokensPerSecond;
    return summary;
  }
}

/** An abort reason as a Switchyard error: our own deadline `TimeoutError` stays; anything else is an `AbortError`. */
function toAbortReason(reason: unknown): SwitchyardError {
  if (SwitchyardError.isInstance(reason)) return reason;
  return new AbortError({ cause: reason });
}
