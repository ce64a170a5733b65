/**
 * `@switchyard/adapter-utils`: what Switchyard's HTTP adapters share so each does not write it again — merging the
 * caller's AbortSignal with the adapter's deadlines into typed errors, reading error bodies into `ApiCallError`s
 * without leaking sockets or secrets. Adapters depend on it and on `@switchyard/contract`, never on the router.
 */
export type { CallDeadlines } from './call-control.js';
export { CallControl } from './call-control.js';
export { parseErrorMessage, readErrorBody, statusTexts, toApiCallError } from './error-body.js';
export { unavailableCodeOf } from './unavailable-code.js';
