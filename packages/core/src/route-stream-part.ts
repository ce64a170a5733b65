import type { StreamPart } from '@switchyard/contract';
import type { RoutePlan } from './decision/route-plan.js';
import type { RouteSummary } from './events.js';

/** The router's decision, streamed before any text. */
export interface RouteDecisionPart {
  type: 'route';
  phase: 'decision';
  plan: RoutePlan;
}

/** The router's summary, streamed after `finish`: who answered, every attempt, cost. */
export interface RouteSummaryPart {
  type: 'route';
  phase: 'summary';
  route: RouteSummary;
}

/**
 * A stream broke and the router moved on. `continue`: the next target continues after the text already sent, and
 * only new text follows. `restart`: the next target cannot continue, so it starts over: discard the text received so
 * far (tool calls are never emitted twice: once one was emitted, the router does not fail over).
 */
export interface FailoverPart {
  type: 'failover';
  from: string;
  to: string;
  mode: 'continue' | 'restart';
  error: { code: string; message: string };
}

/** What `router.stream()` yields: the contract's parts plus the router's `route` and `failover` parts. */
export type RouterStreamPart = StreamPart | RouteDecisionPart | FailoverPart | RouteSummaryPart;
