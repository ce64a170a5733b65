import { onDemandModule } from '@switchyard/contract';
import type PQueue from 'p-queue';

/**
 * The browser build's p-queue: imported on demand, by a router that has a local target, so a page's bundler puts it
 * in a chunk of its own and a page that routes to remote targets only never fetches it (bench row 10, ~3 KB gzip).
 */
export type QueueClass = typeof PQueue;

const queueClass = onDemandModule(() => import('p-queue').then((module) => module.default));

/** The queue class if it has loaded. */
export function loadedQueueClass(): QueueClass | undefined {
  return queueClass.loaded;
}

/**
 * The queue class, or why it could not be loaded (the import failed, or gave no answer for the contract's
 * `onDemandGiveUpMs`). A failed import is tried again by the next call; a stalled one is not waited for again (its
 * answer is used when it comes).
 */
export function loadQueueClass(): Promise<QueueClass | Error> {
  return queueClass.load();
}
