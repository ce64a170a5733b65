import { onDemandModule } from '@switchyard/contract';

/**
 * The browser entry's call path, imported on demand so a page's bundler puts it in a chunk of its own, fetched when
 * the first target is created instead of with the page (bench row 10). A failed import is tried again by the next
 * call; one that gives no answer for the contract's `onDemandGiveUpMs` is not waited for again (its answer is used
 * when it comes).
 */
export const openAICallPath = onDemandModule(() =>
  import('./fetch-call-path.js').then((module) => module.fetchCallPath),
);
