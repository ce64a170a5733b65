import PQueue from 'p-queue';

/**
 * p-queue, the queue of each local target. The browser build replaces this module with load-queue-class.browser.ts,
 * which imports it on demand (a page whose router has no local target never fetches it: bench row 10); here it is
 * loaded with core.
 */
export type QueueClass = typeof PQueue;

/** The queue class if it has loaded: always, on Node. */
export function loadedQueueClass(): QueueClass | undefined {
  return PQueue;
}

const loaded: Promise<QueueClass | Error> = Promise.resolve(PQueue);

/** The queue class, or the error that kept it from loading: at once, on Node. */
export function loadQueueClass(): Promise<QueueClass | Error> {
  return loaded;
}
