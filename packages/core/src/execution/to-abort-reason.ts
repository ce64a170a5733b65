import { AbortError, SwitchyardError } from '@switchyard/contract';

/**
 * The error a request ends with when its caller's signal aborts (`reason` is the signal's): a Switchyard error given
 * as the reason stays (our own deadline `TimeoutError`, say); anything else becomes an `AbortError` with it as cause.
 * Shared by the execution and the router's wait for on-demand chunks, so an abort ends a request the same way
 * wherever it is.
 */
export function toAbortReason(reason: unknown): SwitchyardError {
  if (SwitchyardError.isInstance(reason)) return reason;
  return new AbortError({ cause: reason });
}
