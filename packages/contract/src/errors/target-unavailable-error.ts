import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.target-unavailable');

/** The target cannot serve now (model missing or downloading, daemon down). The router moves on to the next one. */
export class TargetUnavailableError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly reason: string;

  constructor(options: { target: string; reason: string; isRetryable?: boolean; cause?: unknown }) {
    super({
      code: 'target-unavailable',
      message: `Target "${options.target}" is unavailable: ${options.reason}`,
      target: options.target,
      isRetryable: options.isRetryable ?? false,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'TargetUnavailableError';
    this.reason = options.reason;
  }

  static override isInstance(error: unknown): error is TargetUnavailableError {
    return hasMarker(error, marker);
  }
}
