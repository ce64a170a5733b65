import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.timeout');

/** A deadline passed: `phase` says which (`first-token`, `stall`, `total`, `connect`, `deadline`). Retryable. */
export class TimeoutError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly timeoutMs: number;
  readonly phase: string;

  constructor(options: { timeoutMs: number; phase?: string; target?: string; cause?: unknown; isRetryable?: boolean }) {
    const phase = options.phase ?? 'total';
    super({
      code: 'timeout',
      message: `Timed out after ${options.timeoutMs} ms (${phase})${options.target ? ` on target "${options.target}"` : ''}`,
      target: options.target,
      isRetryable: options.isRetryable ?? true,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'TimeoutError';
    this.timeoutMs = options.timeoutMs;
    this.phase = phase;
  }

  static override isInstance(error: unknown): error is TimeoutError {
    return hasMarker(error, marker);
  }
}
