import { onDemandModule } from '@switchyard/contract';

/**
 * The browser build's request execution code (execute-plan.ts and what only it uses: attempts, retries, hedging,
 * failover), ~6 KB gzip: imported on demand, started by `createRouter` (never by importing core), so a page's bundler
 * puts it in a chunk of its own, fetched while the page starts rather than before it can (bench row 10). Requests
 * that start before it has loaded wait for it; if it cannot be loaded they fail (see create-router.ts).
 */
export type Execution = Pick<typeof import('./execute-plan.js'), 'executePlan' | 'collectPlan'>;

const chunk = onDemandModule(() => import('./execute-plan.js'));

/** The execution code if it has loaded. */
export function loadedExecution(): Execution | undefined {
  return chunk.loaded;
}

/** The execution code, or why it could not be loaded (see the contract's `OnDemandModule.load`). */
export function loadExecution(): Promise<Execution | Error> {
  return chunk.load();
}
