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
  ttftMs?: number;
  tokensPerSecond?: number;
  plan: string[];
  excluded: RoutePlan['excluded'];
  explanation: string[];
  privacy?: RoutePlan['privacy'];
}

/** A route summary in the shape the gateway sends (JSON body field or final SSE event). */
export function toRouteField(route: RouteSummary): RouteField {
  return {
    target: route.target ?? null,
    locality: route.locality ?? null,
    attempts: route.attempts.map((attempt) => ({
      target: attempt.target,
      outcome: attempt.outcome,
      durationMs: attempt.durationMs,
      ...(attempt.ttftMs === undefined ? {} : { ttftMs: attempt.ttftMs }),
      ...(attempt.error ? { error: { code: attempt.error.code, message: attempt.error.message } } : {}),
    })),
    fallbacks: route.fallbacks,
    hedged: route.hedged,
    costUsd: route.costUsd,
    ...(route.ttftMs === undefined ? {} : { ttftMs: route.ttftMs }),
    ...(route.tokensPerSecond === undefined ? {} : { tokensPerSecond: route.tokensPerSecond }),
    plan: route.plan.plan.map((entry) => entry.target),
    excluded: route.plan.excluded,
    explanation: route.plan.explanation,
    ...(route.plan.privacy ? { privacy: route.plan.privacy } : {}),
  };
}
