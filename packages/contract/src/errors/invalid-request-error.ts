import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.invalid-request');

/** One problem in an input, located by a path such as `messages[2].role`. */
export interface InputProblem {
  path: string;
  message: string;
}

/** The request is malformed. `problems` names each field and what was expected. Not retryable. */
export class InvalidRequestError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly problems: InputProblem[];

  constructor(options: { problems: InputProblem[]; target?: string; cause?: unknown; message?: string }) {
    super({
      code: 'invalid-request',
      message: options.message ?? `Invalid request: ${formatProblems(options.problems)}`,
      target: options.target,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'InvalidRequestError';
    this.problems = options.problems;
  }

  static override isInstance(error: unknown): error is InvalidRequestError {
    return hasMarker(error, marker);
  }
}

/** `path: message; path: message` — the form every input error uses. */
export function formatProblems(problems: readonly InputProblem[]): string {
  return problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)).join('; ');
}
