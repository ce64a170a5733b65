/** Backoff settings, as in `policy.execution.backoff`. */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  factor: number;
}

/**
 * How long to wait before retry number `retry` (0-based) on the same target. A `Retry-After` from the server wins;
 * otherwise jittered exponential backoff ("equal jitter": half fixed, half random) capped at `maxMs`.
 */
export function retryDelayMs(
  retry: number,
  backoff: BackoffSettings,
  error: unknown,
  random: () => number = Math.random,
): number {
  const retryAfter = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter;
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** retry);
  return Math.round(base / 2 + (base / 2) * random());
}
