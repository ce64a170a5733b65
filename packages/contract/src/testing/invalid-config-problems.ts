import { InvalidConfigError } from '../errors/invalid-config-error.js';
import type { InputProblem } from '../errors/invalid-request-error.js';

/**
 * The problems of the `InvalidConfigError` that `run` throws, for tests of a factory's settings check; an `Error`
 * saying what happened instead when `run` returns or throws something else.
 *
 * @example
 * ```ts
 * expect(invalidConfigProblems(() => createMemoryStateStore({ clok: () => 1 } as never))).toEqual([
 *   { path: 'clok', message: 'unknown option; the only one is clock, e.g. { clock: () => Date.now() }' },
 * ]);
 * ```
 */
export function invalidConfigProblems(run: () => unknown): InputProblem[] {
  try {
    run();
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error.problems;
    throw new Error(`expected an InvalidConfigError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an InvalidConfigError, but nothing was thrown');
}
