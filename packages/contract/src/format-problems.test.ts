import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError, parseRequest } from './index.js';

function problemsOf(input: unknown) {
  try {
    parseRequest(input);
  } catch (error) {
    if (InvalidRequestError.isInstance(error)) return error.problems;
    throw error;
  }
  return undefined;
}

const withContent = (content: unknown) => ({ messages: [{ role: 'user', content }] });
const withToolChoice = (toolChoice: unknown) => ({ messages: [{ role: 'user', content: 'Hi' }], toolChoice });

describe('a value that fits no branch of a union', () => {
  it('names the types accepted instead of "Invalid input"', () => {
    expect(problemsOf(withContent(5))).toEqual([{ path: 'messages[0].content', message: 'expected string or array' }]);
    expect(problemsOf(withContent(null))).toEqual([
      { path: 'messages[0].content', message: 'expected string or array' },
    ]);
    expect(problemsOf(withToolChoice(5))).toEqual([
      { path: 'toolChoice', message: 'expected "auto" or "none" or "required" or object' },
    ]);
  });

  it('is unfolded to the branch whose type it has, at the deeper path', () => {
    expect(problemsOf(withContent([{ type: 'video' }]))).toEqual([
      { path: 'messages[0].content[0].type', message: 'expected one of "text", "image"' },
    ]);
    expect(problemsOf(withContent([]))).toEqual([
      { path: 'messages[0].content', message: 'Too small: expected array to have >=1 items' },
    ]);
    expect(problemsOf(withToolChoice({ type: 'tool' }))).toEqual([
      { path: 'toolChoice.name', message: 'expected string, received undefined' },
    ]);
  });

  it('any JSON value as content is accepted or named by a problem under messages[0].content, never "Invalid input"', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (content) => {
        const problems = problemsOf(withContent(content));
        if (problems === undefined) return;
        expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) {
          expect(problem.path.startsWith('messages[0].content')).toBe(true);
          expect(problem.message).not.toMatch(/^Invalid input$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
