import { type OnDemandModule, onDemandModule } from '@switchyard/contract';
import type { QueueClass } from './load-queue-class.js';

/**
 * The browser build's p-queue: imported on demand, by a router that has a local target, so a page's bundler puts it
 * in a chunk of its own and a page that routes to remote targets only never fetches it (bench row 10, ~3 KB gzip).
 */
export const queueClass: OnDemandModule<QueueClass> = onDemandModule(() =>
  import('p-queue').then((module) => module.default),
);
