import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.all-targets-failed');

/** One failed attempt: which target, and the error it ended with. */
export interface FailedAttempt {
  target: string;
  error: SwitchyardError;
}

/**
 * Every target in the plan was tried and failed. `attempts` keeps each error in order; `lastError` is the final one.
 * When the request was private, the plan held only local targets and nothing was sent anywhere else.
 */
export class AllTargetsFailedError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly attempts: FailedAttempt[];

  constructor(options: { attempts: FailedAttempt[]; message?: string }) {
    const summary = options.attempts.map((attempt) => `${attempt.target}: ${attempt.error.message}`).join('; ');
    super({
      code: 'all-targets-failed',
      message: options.message ?? `All targets failed: ${summary}`,
      cause: options.attempts.at(-1)?.error,
    });
    this[marker] = true;
    this.name = 'AllTargetsFailedError';
    this.attempts = options.attempts;
  }

  get lastError(): SwitchyardError | undefined {
    return this.attempts.at(-1)?.error;
  }

  static override isInstance(error: unknown): error is AllTargetsFailedError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      attempts: this.attempts.map((attempt) => ({ target: attempt.target, error: attempt.error.toJSON() })),
    };
  }
}
