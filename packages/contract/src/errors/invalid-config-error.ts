import type { InputProblem } from './invalid-request-error.js';
import { formatProblems } from './invalid-request-error.js';
import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.invalid-config');

/** Adapter settings or a config file are invalid; each problem names the field, e.g. `targets.gpu.baseURL`. */
export class InvalidConfigError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly problems: InputProblem[];

  constructor(options: { problems: InputProblem[]; target?: string; cause?: unknown }) {
    super({
      code: 'invalid-config',
      message: `Invalid configuration: ${formatProblems(options.problems)}`,
      target: options.target,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'InvalidConfigError';
    this.problems = options.problems;
  }

  static override isInstance(error: unknown): error is InvalidConfigError {
    return hasMarker(error, marker);
  }
}
