import { APICallError, InvalidArgumentError } from '@ai-sdk/provider';
import {
  AllTargetsFailedError,
  ApiCallError,
  ConnectionError,
  InvalidRequestError,
  InvalidResponseError,
  type SwitchyardError,
  TimeoutError,
  toSwitchyardError,
} from '@switchyard/contract';

/** The error behind an `AllTargetsFailedError`: the last attempt's, which decided the outcome. */
function decisive(error: SwitchyardError): SwitchyardError {
  return AllTargetsFailedError.isInstance(error) ? (error.lastError ?? error) : error;
}

/**
 * Maps a Switchyard error to what AI SDK code expects:
 * - HTTP, connection, timeout and protocol failures become `APICallError` (status, URL, response body and
 *   `retry-after-ms` when known), with the Switchyard error as `cause` and its JSON as `data.switchyard`.
 * - `isRetryable` is the Switchyard error's own, except after `AllTargetsFailedError`: the router has already retried
 *   and failed over as its policy says, so the AI SDK's own retries (`maxRetries`) would only multiply attempts.
 * - `InvalidRequestError` becomes `InvalidArgumentError` naming the first bad field.
 * - Aborts stay errors named `AbortError`, which the AI SDK treats as cancellation.
 * - Anything else (no eligible target, invalid config) stays the typed Switchyard error: not retried.
 */
export function toAISDKError(thrown: unknown): unknown {
  const error = toSwitchyardError(thrown);
  if (error.code === 'abort') return error;
  if (InvalidRequestError.isInstance(error)) {
    const first = error.problems[0];
    return new InvalidArgumentError({ argument: first?.path || 'prompt', message: error.message, cause: error });
  }
  const cause = decisive(error);
  const exhausted = AllTargetsFailedError.isInstance(error);
  const isRetryable = exhausted ? false : cause.isRetryable;
  const data = { switchyard: error.toJSON() };
  if (ApiCallError.isInstance(cause)) {
    return new APICallError({
      message: error.message,
      url: cause.url,
      requestBodyValues: undefined,
      statusCode: cause.status,
      ...(cause.retryAfterMs === undefined
        ? {}
        : { responseHeaders: { 'retry-after-ms': String(cause.retryAfterMs) } }),
      ...(cause.responseBody === undefined ? {} : { responseBody: cause.responseBody }),
      isRetryable,
      cause: error,
      data,
    });
  }
  if (ConnectionError.isInstance(cause) || TimeoutError.isInstance(cause) || InvalidResponseError.isInstance(cause)) {
    return new APICallError({
      message: error.message,
      url: ConnectionError.isInstance(cause) ? cause.url : `switchyard:${cause.target ?? 'router'}`,
      requestBodyValues: undefined,
      isRetryable,
      cause: error,
      data,
    });
  }
  return error;
}
