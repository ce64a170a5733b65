import { InvalidConfigError } from '@switchyard/contract';
import { expect } from 'vitest';

/** The problems of the `InvalidConfigError` that `work` throws, as `path: message` lines; fails when it accepts. */
export function configProblemsOf(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    return (error as InvalidConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  throw new Error('accepted');
}
