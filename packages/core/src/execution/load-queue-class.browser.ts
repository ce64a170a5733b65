import type PQueue from 'p-queue';

/**
 * The browser build's p-queue: imported on demand, by a router that has a local target, so a page's bundler puts it
 * in a chunk of its own and a page that routes to remote targets only never fetches it (bench row 10, ~3 KB gzip).
 */
export type QueueClass = typeof PQueue;

let loaded: QueueClass | undefined;
let importing: Promise<QueueClass | Error> | undefined;
/** Set when a call gave up on the import still pending: later calls answer with it at once instead of waiting again. */
let stalled: Error | undefined;

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
 * {@link giveUpWaitingAfterMs}). A failed import is tried again by the next call; a stalled one is not waited for
 * again (its answer is used when it comes).
 */
export function loadQueueClass(): Promise<QueueClass | Error> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  if (stalled !== undefined) return Promise.resolve(stalled);
  importing ??= import('p-queue').then(
    (module) => {
      loaded = module.default;
      stalled = undefined;
      return loaded;
    },
    (error: unknown) => {
      importing = undefined;
      stalled = undefined;
      return error instanceof Error ? error : new Error(String(error));
    },
  );
  const answer = importing;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stalled = new Error(`no answer after ${giveUpWaitingAfterMs / 1000} s`);
      resolve(stalled);
    }, giveUpWaitingAfterMs);
    // A page has no process to keep alive; in Node (tests of this build) a pending load must not hold the process.
    (timer as { unref?: () => void }).unref?.();
    answer.then((result) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}
