import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { invalidConfigProblems } from './invalid-config-problems.js';

describe('invalidConfigProblems', () => {
  it('answers the problems of the InvalidConfigError thrown, and says what happened when there was none', () => {
    const problems = [{ path: 'clok', message: 'unknown option' }];
    expect(
      invalidConfigProblems(() => {
        throw new InvalidConfigError({ problems });
      }),
    ).toEqual(problems);
    expect(() => invalidConfigProblems(() => 1)).toThrow('expected an InvalidConfigError, but nothing was thrown');
    expect(() =>
      invalidConfigProblems(() => {
        throw new RangeError('bad');
      }),
    ).toThrow('expected an InvalidConfigError, got RangeError: bad');
  });
});
