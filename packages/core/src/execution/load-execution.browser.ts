import { type OnDemandModule, onDemandModule } from '@switchyard/contract';
import type { Execution } from './load-execution.js';

/**
 * The browser build's request execution code (execute-plan.ts and what only it uses: attempts, retries, hedging,
 * failover), ~6 KB gzip: imported on demand, started by `createRouter` (never by importing core), so a page's bundler
 * puts it in a chunk of its own, fetched while the page starts rather than before it can (bench row 10). Requests
 * that start before it has loaded wait for it; if it cannot be loaded they fail (see create-router.ts).
 */
export const executionCode: OnDemandModule<Execution> = onDemandModule(() => import('./execute-plan.js'));
