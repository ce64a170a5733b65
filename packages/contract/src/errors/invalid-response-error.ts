import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.invalid-response');

/**
 * The target answered, but not as the protocol says: malformed JSON or SSE, or a stream that ended without its
 * terminator or a finish reason. Retryable by default: a truncated answer is never reported as success.
 */
export class InvalidResponseError extends SwitchyardError {
  declare readonly [marker]: true;

  constructor(options: { message: string; target?: string; isRetryable?: boolean; cause?: unknown }) {
    super({
      code: 'invalid-response',
      message: options.message,
      target: options.target,
      isRetryable: options.isRetryable ?? true,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'InvalidResponseError';
  }

  static override isInstance(error: unknown): error is InvalidResponseError {
    return hasMarker(error, marker);
  }
}
