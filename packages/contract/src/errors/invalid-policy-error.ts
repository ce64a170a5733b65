import type { InputProblem } from './invalid-request-error.js';
import { formatProblems } from './invalid-request-error.js';
import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.invalid-policy');

/** The routing policy is invalid; each problem's path starts at `policy`, e.g. `policy.rules[1].when.battery`. */
export class InvalidPolicyError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly problems: InputProblem[];

  constructor(options: { problems: InputProblem[]; cause?: unknown }) {
    super({
      code: 'invalid-policy',
      message: `Invalid policy: ${formatProblems(options.problems)}`,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'InvalidPolicyError';
    this.problems = options.problems;
  }

  static override isInstance(error: unknown): error is InvalidPolicyError {
    return hasMarker(error, marker);
  }
}
