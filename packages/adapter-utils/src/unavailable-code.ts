import {
  ApiCallError,
  ConnectionError,
  type SwitchyardError,
  TimeoutError,
  type UnavailableCode,
} from '@switchyard/contract';

/**
 * The `unavailable` status code a failed status probe or call stands for: nothing listening → `unreachable`, a probe
 * past its deadline → `timeout`, 401/403 → `unauthorized`, 404 → `not-found`, anything else → `probe-failed`.
 */
export function unavailableCodeOf(error: SwitchyardError): UnavailableCode {
  if (ConnectionError.isInstance(error)) return 'unreachable';
  if (TimeoutError.isInstance(error)) return 'timeout';
  if (ApiCallError.isInstance(error)) {
    if (error.status === 401 || error.status === 403) return 'unauthorized';
    if (error.status === 404) return 'not-found';
  }
  return 'probe-failed';
}
