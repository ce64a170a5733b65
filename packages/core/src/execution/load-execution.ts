import { collectPlan, executePlan } from './execute-plan.js';

/**
 * The request execution code (execute-plan.ts and what only it uses: attempts, retries, hedging, failover). The
 * browser build replaces this module with load-execution.browser.ts, which imports it on demand (it is a fifth of a
 * page's first load: bench row 10); here it is loaded with core.
 */
export interface Execution {
  executePlan: typeof executePlan;
  collectPlan: typeof collectPlan;
}

const execution: Execution = { executePlan, collectPlan };

/** The execution code if it has loaded: always, on Node. */
export function loadedExecution(): Execution | undefined {
  return execution;
}

const loaded: Promise<Execution | Error> = Promise.resolve(execution);

/** The execution code, or the error that kept it from loading: at once, on Node. */
export function loadExecution(): Promise<Execution | Error> {
  return loaded;
}
