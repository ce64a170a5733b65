import type { Target } from '@switchyard/contract';

/**
 * Re-probes targets that are not ready, every `intervalMs`, until stopped. The router never calls a target it has
 * excluded, so a remote marked unavailable by a failed call (e.g. a connection reset) would stay excluded for good
 * unless something asks it again: this is the app-side health check the router leaves to its host. Returns `stop`.
 */
export function probeUnreadyTargets(targets: readonly Target[], intervalMs: number): () => void {
  const probing = new Set<Target>();
  const timer = setInterval(() => {
    for (const target of targets) {
      if (!target.checkStatus || target.status().state === 'ready' || probing.has(target)) continue;
      probing.add(target);
      target
        .checkStatus()
        .catch(() => {
          // A failed probe leaves status() as it was; the next round tries again.
        })
        .finally(() => probing.delete(target));
    }
  }, intervalMs);
  // A demo waiting on nothing but probes should be free to exit.
  timer.unref();
  return () => clearInterval(timer);
}
