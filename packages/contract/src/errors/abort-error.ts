import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.abort');

/** The caller aborted. Never retried and never failed over. */
export class AbortError extends SwitchyardError {
  declare readonly [marker]: true;

  constructor(options: { target?: string; cause?: unknown; message?: string } = {}) {
    super({
      code: 'abort',
      message: options.message ?? 'The request was aborted',
      target: options.target,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'AbortError';
  }

  static override isInstance(error: unknown): error is AbortError {
    return hasMarker(error, marker);
  }
}
