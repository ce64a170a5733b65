import type { GenerateRequest } from '@switchyard/contract';
import type { Policy } from '../policy/policy.js';

/** The per-request cap: the policy's and the request's own, whichever is lower. */
export function requestCapUsd(policy: Policy, request: GenerateRequest): number | undefined {
  const fromPolicy = policy.budget.maxCostUsdPerRequest;
  const fromRequest = request.routing?.maxCostUsd;
  if (fromPolicy === undefined) return fromRequest;
  if (fromRequest === undefined) return fromPolicy;
  return Math.min(fromPolicy, fromRequest);
}
