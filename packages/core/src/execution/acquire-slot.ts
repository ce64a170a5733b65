import type PQueue from 'p-queue';

/**
 * Waits for a slot in `queue` and resolves with the function that gives it back. Aborting `signal` while waiting
 * removes the request from the queue; aborting while holding the slot frees it too (p-queue races the signal), so a
 * cancelled request can never leak a slot.
 */
export function acquireSlot(
  queue: PQueue,
  signal: AbortSignal | undefined,
  priority: number | undefined,
): Promise<() => void> {
  return new Promise((resolve, reject) => {
    queue
      .add(() => new Promise<void>((release) => resolve(release)), { signal, priority: priority ?? 0 })
      .catch(reject);
  });
}
