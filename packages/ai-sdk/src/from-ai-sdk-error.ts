import {
  APICallError,
  EmptyResponseBodyError,
  InvalidArgumentError,
  InvalidPromptError,
  InvalidResponseDataError,
  JSONParseError,
  TypeValidationError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import {
  AbortError,
  ApiCallError,
  ConnectionError,
  InvalidRequestError,
  InvalidResponseError,
  parseRetryAfter,
  type SwitchyardError,
  toSwitchyardError,
} from '@switchyard/contract';

/** The first error in the `cause` chain that Node or undici tagged with a socket-level code. */
function socketCause(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('E') || code.startsWith('UND_ERR'))) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms)) return Math.max(0, ms);
  return parseRetryAfter(headers['retry-after']);
}

/**
 * Maps what an AI SDK model threw to a Switchyard error, so the router retries and fails over as it does for its own
 * adapters: HTTP statuses become `ApiCallError` (retryability and `Retry-After` kept), failed connections
 * `ConnectionError`, malformed answers `InvalidResponseError`, refused input `InvalidRequestError`, aborts `AbortError`.
 */
export function fromAISDKError(error: unknown, target: string, signal?: AbortSignal): SwitchyardError {
  if (signal?.aborted) return new AbortError({ target, cause: error });
  if (APICallError.isInstance(error)) {
    // A status under 400 means the request was answered and its body then failed (a connection reset mid-stream
    // arrives as an APICallError with status 200): that is the connection's fault, not an HTTP error.
    if (error.statusCode !== undefined && error.statusCode >= 400) {
      return new ApiCallError({
        url: error.url,
        status: error.statusCode,
        retryAfterMs: retryAfterMs(error.responseHeaders),
        ...(error.responseBody === undefined ? {} : { responseBody: error.responseBody }),
        isRetryable: error.isRetryable,
        target,
        cause: error,
      });
    }
    const converted = toSwitchyardError(socketCause(error) ?? error.cause, { target, url: error.url });
    if (converted.code !== 'internal') return converted;
    return new ConnectionError({ url: error.url, detail: error.message, target, cause: error });
  }
  if (
    InvalidResponseDataError.isInstance(error) ||
    JSONParseError.isInstance(error) ||
    TypeValidationError.isInstance(error) ||
    EmptyResponseBodyError.isInstance(error)
  ) {
    return new InvalidResponseError({
      message: `Invalid response from "${target}": ${error.message}`,
      target,
      cause: error,
    });
  }
  if (InvalidArgumentError.isInstance(error)) {
    return new InvalidRequestError({
      problems: [{ path: error.argument, message: error.message }],
      target,
      cause: error,
    });
  }
  if (InvalidPromptError.isInstance(error) || UnsupportedFunctionalityError.isInstance(error)) {
    return new InvalidRequestError({ problems: [{ path: 'messages', message: error.message }], target, cause: error });
  }
  const socket = socketCause(error);
  if (socket !== undefined) {
    const converted = toSwitchyardError(socket, { target });
    if (converted.code !== 'internal') return converted;
  }
  return toSwitchyardError(error, { target });
}
