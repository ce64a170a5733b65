import type { GenerateRequest } from '@switchyard/contract';
import type { RoutePlan } from '../decision/route-plan.js';
import type { RouterEventEmitter } from '../events.js';
import type { MidStreamMode, Policy } from '../policy/policy.js';
import type { RequestTrace } from '../telemetry/request-trace.js';
import type { BudgetLedger } from './budget-ledger.js';
import type { TargetHealth } from './target-health.js';

// What the router hands the execution (execute-plan.ts), in a module of their own: the router builds them before the
// execution code has loaded (core's browser build loads it on demand).

/**
 * What every execution of one router shares, as one object per policy (a new one when the policy changes, so a
 * request keeps the policy it started with): an execution keeps one reference to it, not six fields.
 */
export interface ExecutionShared {
  policy: Policy;
  health: ReadonlyMap<string, TargetHealth>;
  events: RouterEventEmitter;
  clock: () => number;
  random: () => number;
  /** The period budget, bound through the router's state store. */
  budget: BudgetLedger;
  /**
   * `clock()` when the router was created: a request keeps its start as ms after it, a small integer with the default
   * clock where the time itself would be a 16-byte heap number per request in flight.
   */
  epoch: number;
}

/** What one execution needs from the router. */
export interface ExecutionInput {
  /** Present when the router built it already (the decision was observed); else built on first read. */
  requestId: string | undefined;
  /** The router's request counter, for the id. */
  requestNumber: number;
  request: GenerateRequest;
  plan: RoutePlan;
  shared: ExecutionShared;
  /** Present only when an OpenTelemetry provider records this request. */
  telemetry?: RequestTrace | undefined;
  /** Overrides `policy.execution.midStream` (`generate()` restarts internally: nothing has been shown). */
  midStream?: MidStreamMode;
  /**
   * When `request.routing.deadlineMs` ends (`shared.clock()` time), for a request that waited before it started (for
   * chunks core's browser build loads on demand): the deadline counts the wait. Else it counts from the start.
   */
  deadlineAt?: number | undefined;
}
