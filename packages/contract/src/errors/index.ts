/**
 * `@switchyard/contract/errors`: the error classes alone, without the zod schemas of the main entry, for code that
 * must stay small in a browser bundle (signal sources, browser adapters). The classes are the same as the main
 * entry's, so `instanceof` and `isInstance()` agree across both imports.
 */
export { AbortError } from './abort-error.js';
export type { FailedAttempt } from './all-targets-failed-error.js';
export { AllTargetsFailedError } from './all-targets-failed-error.js';
export { ApiCallError, isRetryableStatus, parseRetryAfter } from './api-call-error.js';
export type { BudgetScope } from './budget-exceeded-error.js';
export { BudgetExceededError } from './budget-exceeded-error.js';
export { ConnectionError } from './connection-error.js';
export { InvalidConfigError } from './invalid-config-error.js';
export { InvalidPolicyError } from './invalid-policy-error.js';
export type { InputProblem } from './invalid-request-error.js';
export { formatProblems, InvalidRequestError } from './invalid-request-error.js';
export { InvalidResponseError } from './invalid-response-error.js';
export { NoEligibleTargetError } from './no-eligible-target-error.js';
export type { StreamInterruptedErrorOptions } from './stream-interrupted-error.js';
export { StreamInterruptedError } from './stream-interrupted-error.js';
export type { SwitchyardErrorCode, SwitchyardErrorOptions } from './switchyard-error.js';
export { SwitchyardError } from './switchyard-error.js';
export { TargetUnavailableError } from './target-unavailable-error.js';
export { TimeoutError } from './timeout-error.js';
export { toSwitchyardError } from './to-switchyard-error.js';
