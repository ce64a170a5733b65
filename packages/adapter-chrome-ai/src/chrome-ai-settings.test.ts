import { InvalidConfigError } from '@switchyard/contract/errors';
import { describe, expect, it } from 'vitest';
import { type ChromeAISettings, createChromeAITarget } from './index.js';

// Settings are checked before the Prompt API is touched, so these run on Node (where there is no LanguageModel global).
function problemsOf(settings: unknown) {
  try {
    createChromeAITarget(settings as ChromeAISettings);
  } catch (error) {
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    return (error as InvalidConfigError).problems;
  }
  return undefined;
}

describe('createChromeAITarget settings', () => {
  it('takes no settings, or empty ones', () => {
    expect(problemsOf(undefined)).toBeUndefined();
    expect(problemsOf({})).toBeUndefined();
  });

  it('refuses settings that are not an object with InvalidConfigError, not a TypeError', () => {
    for (const settings of [null, 'chrome-ai', 5, ['en']]) {
      expect(problemsOf(settings)?.[0]?.message).toMatch(/^expected a settings object/);
    }
  });

  it('names an unknown setting and the one it is a typo of (a typo is not silently ignored)', () => {
    expect(problemsOf({ contextwindow: 8192 })).toEqual([
      { path: 'contextwindow', message: 'unknown setting; did you mean "contextWindow"?' },
    ]);
    expect(problemsOf({ model: 'gemini-nano' })).toEqual([
      {
        path: 'model',
        message:
          'unknown setting; expected one of id, maxOutputTokens, quality, languageModel, languages, contextWindow',
      },
    ]);
  });

  it('says what a bad number is and what it expects', () => {
    expect(problemsOf({ maxOutputTokens: 1.5, quality: 2 })).toEqual([
      { path: 'maxOutputTokens', message: 'expected a positive whole number of tokens, got 1.5' },
      { path: 'quality', message: 'expected a number from 0 to 1, got 2' },
    ]);
    expect(problemsOf({ contextWindow: -4096, maxOutputTokens: Number.NaN, quality: [1] })).toEqual([
      { path: 'maxOutputTokens', message: 'expected a positive whole number of tokens, got NaN' },
      { path: 'quality', message: 'expected a number from 0 to 1, got an object' },
      { path: 'contextWindow', message: 'expected a positive whole number of tokens, got -4096' },
    ]);
    expect(problemsOf({ languages: [] })).toEqual([
      { path: 'languages', message: "expected BCP 47 language tags, e.g. ['en']" },
    ]);
  });

  it('refuses a languageModel that is not the Prompt API', () => {
    expect(problemsOf({ languageModel: { create() {} } })?.map((problem) => problem.path)).toEqual(['languageModel']);
    expect(problemsOf({ languageModel: 5 })?.map((problem) => problem.path)).toEqual(['languageModel']);
  });

  it('never echoes a string value', () => {
    const secret = 'sk-not-for-messages-123';
    const problems = problemsOf({ contextWindow: secret, quality: secret });
    expect(problems?.map((problem) => problem.path).sort()).toEqual(['contextWindow', 'quality']);
    expect(JSON.stringify(problems)).not.toContain(secret);
  });
});
