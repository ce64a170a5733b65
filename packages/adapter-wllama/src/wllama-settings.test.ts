import { InvalidConfigError } from '@switchyard/contract/errors';
import { describe, expect, it } from 'vitest';
import { parseWllamaSettings, type WllamaSettings } from './wllama-settings.js';

const required = { modelUrl: '/models/model.gguf', wasmUrl: '/wllama.wasm' };

// Settings are checked before wllama is touched, so these run on Node.
function problemsOf(settings: unknown) {
  try {
    parseWllamaSettings(settings as WllamaSettings);
  } catch (error) {
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    return (error as InvalidConfigError).problems;
  }
  return undefined;
}

describe('createWllamaTarget settings', () => {
  it('fills the defaults', () => {
    expect(parseWllamaSettings(required)).toEqual({
      ...required,
      id: 'wllama',
      contextSize: 2048,
      maxOutputTokens: 512,
      threads: undefined,
      useCache: true,
      loadEagerly: true,
      quality: undefined,
      logger: undefined,
    });
  });

  it('names each missing URL and says what to pass', () => {
    expect(problemsOf({})).toEqual([
      { path: 'modelUrl', message: "expected the URL your app serves it at, e.g. '/models/model.gguf'" },
      { path: 'wasmUrl', message: "expected the URL your app serves it at, e.g. '/wllama.wasm'" },
    ]);
    expect(problemsOf({ ...required, modelUrl: '' })?.map((problem) => problem.path)).toEqual(['modelUrl']);
  });

  it('refuses settings that are not an object with InvalidConfigError, not a TypeError', () => {
    for (const settings of [undefined, null, '/models/model.gguf', 5]) {
      expect(problemsOf(settings)?.[0]?.message).toMatch(/^expected settings with modelUrl and wasmUrl/);
    }
  });

  it('says what a bad number is, never echoing a string', () => {
    const secret = 'sk-not-for-messages-123';
    const problems = problemsOf({ ...required, contextSize: 1.5, threads: secret, quality: 2 });
    expect(problems).toEqual([
      { path: 'quality', message: 'expected a number from 0 to 1, got 2' },
      { path: 'contextSize', message: 'expected a positive whole number of tokens, got 1.5' },
      { path: 'threads', message: 'expected a positive whole number of threads, got a string' },
    ]);
    expect(problemsOf({ ...required, maxOutputTokens: 0, quality: null, id: '' })).toEqual([
      { path: 'id', message: 'expected a non-empty string' },
      { path: 'maxOutputTokens', message: 'expected a positive whole number of tokens, got 0' },
      { path: 'quality', message: 'expected a number from 0 to 1, got null' },
    ]);
    expect(JSON.stringify(problems)).not.toContain(secret);
  });

  it('names an unknown setting and the one it is a typo of', () => {
    expect(problemsOf({ ...required, contextsize: 4096 })).toEqual([
      { path: 'contextsize', message: 'unknown setting; did you mean "contextSize"?' },
    ]);
  });

  it('takes a logger with warn and error, and names one without', () => {
    const logger = { warn() {}, error() {} };
    expect(parseWllamaSettings({ ...required, logger }).logger).toBe(logger);
    expect(parseWllamaSettings({ ...required, logger: console }).logger).toBe(console);
    expect(problemsOf({ ...required, logger: { warn() {} } })).toEqual([
      { path: 'logger', message: 'expected an object with warn(message) and error(message), e.g. console' },
    ]);
    expect(problemsOf({ ...required, logger: () => {} })?.map((problem) => problem.path)).toEqual(['logger']);
  });
});
