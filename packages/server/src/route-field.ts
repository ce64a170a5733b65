import type { RoutePlan, RouteSummary } from '@switchyard/core';

/**
 * The `switchyard` field of a gateway response: where the request ran, every attempt, and why other targets were
 * left out. Prompt text never appears here.
 */
export interface RouteField {
  target: string | null;
  locality: string | null;
  attempts: Array<{
    target: string;
    outcome: string;
    durationMs: number;
    ttftMs?: number;
    error?: { code: string; message: string };
  }>;
  fallbacks: number;
  hedged: boolean;
  costUsd: number;
  /**
   * True when the answering target did not report usage: the response's `usage` (and `costUsd`) are the router's
   * estimate, input from the prompt and output from the text, about 4 characters a token.
   */
  usageEstimated?: boolean;
  ttftMs?: number;
  tokensPerSecond?: number;
  plan: string[];
  excluded: RoutePlan['excluded'];
  explanation: string[];
  privacy?: RoutePlan['privacy'];
}

/**
 * A route summary in the shape the gateway sends (a JSON body field, or a field of a stream's finish chunk). Optional
 * fields the route does not have are `undefined` (so every field object has the same shape); `JSON.stringify` leaves
 * them out.
 */
export function toRouteField(route: RouteSummary): RouteField {
  const attempts: RouteField['attempts'] = [];
  for (const attempt of route.attempts) {
    const error = attempt.error;
    attempts.push({
      target: attempt.target,
      outcome: attempt.outcome,
      durationMs: attempt.durationMs,
      ttftMs: attempt.ttftMs,
      error: error ? { code: error.code, message: error.message } : undefined,
    });
  }
  const plan = route.plan;
  const order: string[] = [];
  for (const entry of plan.plan) order.push(entry.target);
  return {
    target: route.target ?? null,
    locality: route.locality ?? null,
    attempts,
    fallbacks: route.fallbacks,
    hedged: route.hedged,
    costUsd: route.costUsd,
    usageEstimated: route.usageEstimated,
    ttftMs: route.ttftMs,
    tokensPerSecond: route.tokensPerSecond,
    plan: order,
    excluded: plan.excluded,
    explanation: plan.explanation,
    privacy: plan.privacy,
  };
}
