import { AbortError } from './abort-error.js';
import { ConnectionError } from './connection-error.js';
import { SwitchyardError } from './switchyard-error.js';
import { TimeoutError } from './timeout-error.js';

/** Node's socket-level error codes that mean "the connection failed" rather than "the server said no". */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Turns anything thrown into a `SwitchyardError`: Switchyard errors pass through, aborts become `AbortError`,
 * socket failures `ConnectionError`, undici timeouts `TimeoutError`, and the rest an `internal` error that keeps
 * the original as `cause`.
 */
export function toSwitchyardError(error: unknown, context: { target?: string; url?: string } = {}): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  const record = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown };
  const name = typeof record.name === 'string' ? record.name : '';
  const code = typeof record.code === 'string' ? record.code : '';
  if (name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') {
    return new AbortError({ target: context.target, cause: error });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || name === 'TimeoutError') {
    return new TimeoutError({ timeoutMs: 0, phase: 'socket', target: context.target, cause: error });
  }
  if (connectionCodes.has(code) || code.startsWith('UND_ERR_SOCKET')) {
    return new ConnectionError({
      url: context.url ?? '(unknown)',
      systemCode: code,
      target: context.target,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SwitchyardError({
    code: 'internal',
    message: `Internal error: ${message}`,
    target: context.target,
    cause: error,
  });
}
