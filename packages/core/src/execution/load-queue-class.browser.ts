import type PQueue from 'p-queue';

/**
 * The browser build's p-queue: imported on demand, by a router that has a local target, so a page's bundler puts it
 * in a chunk of its own and a page that routes to remote targets only never fetches it (bench row 10, ~3 KB gzip).
 */
export type QueueClass = typeof PQueue;

let loaded: QueueClass | undefined;
let importing: Promise<QueueClass | Error> | undefined;

/**
 * How long a router waits for a chunk that neither loads nor fails (a stalled connection) before it plans requests
 * without its local targets; browsers fail a lost request well before this.
 */
export const giveUpWaitingAfterMs = 10_000;

/** The queue class if it has loaded. */
export function loadedQueueClass(): QueueClass | undefined {
  return loaded;
}

/**
 * The queue class, or why it could not be loaded (the import failed, or gave no answer for
 * {@link giveUpWaitingAfterMs}). A failed import is tried again by the next call.
 */
export function loadQueueClass(): Promise<QueueClass | Error> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  importing ??= import('p-queue').then(
    (module) => {
      loaded = module.default;
      return loaded;
    },
    (error: unknown) => {
      importing = undefined;
      return error instanceof Error ? error : new Error(String(error));
    },
  );
  const answer = importing;
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => resolve(new Error(`no answer after ${giveUpWaitingAfterMs / 1000} s`)),
      giveUpWaitingAfterMs,
    );
    // A page has no process to keep alive; in Node (tests of this build) a pending load must not hold the process.
    (timer as { unref?: () => void }).unref?.();
    answer.then((result) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}
