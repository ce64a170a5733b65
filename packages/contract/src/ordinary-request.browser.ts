import type { GenerateRequest, TargetCall } from './request.js';

// Browser build: a page routes a request at a time, so the zod-free fast path (ordinary-request.ts) is not worth its
// bytes there; every request goes through zod, whose verdicts the fast path only ever repeats.

export function isOrdinaryRequest(_input: unknown): _input is GenerateRequest {
  return false;
}

export function isOrdinaryTargetCall(_input: unknown): _input is TargetCall {
  return false;
}
