const baseMarker = /* @__PURE__ */ Symbol.for('switchyard.error');

/** Stable error codes; switch on `error.code`, never on the message. */
export type SwitchyardErrorCode =
  | 'invalid-request'
  | 'invalid-policy'
  | 'invalid-config'
  | 'target-unavailable'
  | 'api-call'
  | 'connection'
  | 'invalid-response'
  | 'timeout'
  | 'abort'
  | 'no-eligible-target'
  | 'budget-exceeded'
  | 'all-targets-failed'
  | 'stream-interrupted'
  | 'internal';

export interface SwitchyardErrorOptions {
  message: string;
  code: SwitchyardErrorCode;
  isRetryable?: boolean;
  /** Name of the target the error concerns, when there is one. */
  target?: string;
  cause?: unknown;
}

/**
 * The base of every error Switchyard throws. Recognise errors with the static `isInstance` methods rather than
 * `instanceof`: they work across two installed copies of the package because they check a `Symbol.for` marker.
 */
export class SwitchyardError extends Error {
  declare readonly [baseMarker]: true;
  readonly code: SwitchyardErrorCode;
  /** Whether trying the same target again could succeed. */
  readonly isRetryable: boolean;
  readonly target: string | undefined;

  constructor(options: SwitchyardErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this[baseMarker] = true;
    this.name = 'SwitchyardError';
    this.code = options.code;
    this.isRetryable = options.isRetryable ?? false;
    this.target = options.target;
  }

  static isInstance(error: unknown): error is SwitchyardError {
    return hasMarker(error, baseMarker);
  }

  /** A plain object for logs and JSON responses: code, message, target, retryability; never `cause`. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      target: this.target,
      isRetryable: this.isRetryable,
    };
  }
}

/** Whether `error` carries `marker`; used by every `isInstance`. */
export function hasMarker(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
}
