import type { JSONObject, JSONValue, LanguageModelV4FinishReason, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { FinishReason, Usage } from '@switchyard/contract';
import type { RouteSummary } from '@switchyard/core';

/** A contract finish reason in the AI SDK's unified form; `raw` keeps Switchyard's own name. */
export function toAISDKFinishReason(reason: FinishReason): LanguageModelV4FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool-calls':
    case 'content-filter':
    case 'error':
      return { unified: reason, raw: reason };
    case 'abort':
      return { unified: 'other', raw: reason };
  }
}

/** Contract usage in the AI SDK's shape (no cache or reasoning breakdown: targets do not report one). */
export function toAISDKUsage(usage: Usage | undefined): LanguageModelV4Usage {
  return {
    inputTokens: {
      total: usage?.inputTokens,
      noCache: usage?.inputTokens,
      cacheRead: undefined,
      cacheWrite: undefined,
    },
    outputTokens: { total: usage?.outputTokens, text: usage?.outputTokens, reasoning: undefined },
  };
}

/**
 * JSON as the AI SDK's metadata types want it: `undefined` fields left out, as `JSON.stringify` would (a copy walk,
 * not a stringify + parse round trip, which was most of this package's own CPU per call in bench row 15).
 */
function json(value: unknown): JSONValue | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (Array.isArray(value)) return value.map((item) => json(item) ?? null);
      const copy: JSONObject = {};
      for (const key of Object.keys(value)) {
        const entry = json((value as Record<string, unknown>)[key]);
        if (entry !== undefined) copy[key] = entry;
      }
      return copy;
    }
    default:
      return undefined;
  }
}

/**
 * The route as `providerMetadata.switchyard`: the target that answered and its locality, the planned order, every
 * excluded target with its reason, the failovers, each attempt with its outcome and timings, and the cost;
 * `usageEstimated: true` when the target reported no usage and the usage given to the AI SDK is the router's estimate.
 */
export function routeMetadata(route: RouteSummary): JSONObject {
  return json({
    target: route.target,
    locality: route.locality,
    plan: route.plan.plan.map((entry) => entry.target),
    excluded: route.plan.excluded,
    privacy: route.plan.privacy,
    fallbacks: route.fallbacks,
    failovers: route.failovers,
    hedged: route.hedged,
    costUsd: route.costUsd,
    usageEstimated: route.usageEstimated,
    ttftMs: route.ttftMs,
    attempts: route.attempts.map((attempt) => ({
      target: attempt.target,
      outcome: attempt.outcome,
      error: attempt.error,
      ttftMs: attempt.ttftMs,
      durationMs: attempt.durationMs,
      costUsd: attempt.costUsd,
    })),
  }) as JSONObject;
}
