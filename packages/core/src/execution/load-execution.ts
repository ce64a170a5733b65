import { loadedModule, type OnDemandModule } from '@switchyard/contract';
import { collectPlan, executePlan } from './execute-plan.js';

/** The request execution code: execute-plan.ts and what only it uses (attempts, retries, hedging, failover). */
export interface Execution {
  executePlan: typeof executePlan;
  collectPlan: typeof collectPlan;
}

/**
 * The execution code, loaded with core here. The browser build replaces this module with load-execution.browser.ts,
 * which imports it on demand (it is a fifth of a page's first load: bench row 10).
 */
export const executionCode: OnDemandModule<Execution> = loadedModule<Execution>({ executePlan, collectPlan });
