import { loadedModule, type OnDemandModule } from '@switchyard/contract';
import PQueue from 'p-queue';

/** p-queue's class: the request queue of each local target. */
export type QueueClass = typeof PQueue;

/**
 * p-queue, loaded with core here. The browser build replaces this module with load-queue-class.browser.ts, which
 * imports it on demand (a page whose router has no local target never fetches it: bench row 10).
 */
export const queueClass: OnDemandModule<QueueClass> = loadedModule(PQueue);
