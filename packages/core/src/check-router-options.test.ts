import { InvalidConfigError, InvalidRequestError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter, type RouterOptions } from './index.js';
import { createScriptedTarget } from './testing/index.js';

const target = () => createScriptedTarget({ locality: 'local' });

function configProblems(options: unknown): { path: string; message: string }[] {
  try {
    createRouter(options as RouterOptions);
  } catch (error) {
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    return (error as InvalidConfigError).problems;
  }
  throw new Error('createRouter accepted the options');
}

describe('createRouter options of the wrong shape', () => {
  it.each([
    ['no options', undefined, 'options'],
    ['null options', null, 'options'],
    ['targets given as a list', { targets: [target()] }, 'targets'],
    ['targets given as a string', { targets: 'device' }, 'targets'],
    ['a target that is undefined', { targets: { device: undefined } }, 'targets.device'],
    ['a target that is null', { targets: { device: null } }, 'targets.device'],
    ['a target that is a plain object', { targets: { device: {} } }, 'targets.device'],
    ['a target without stream()', { targets: { device: { ...target(), stream: undefined } } }, 'targets.device'],
    ['a target with an unknown locality', { targets: { device: { ...target(), locality: 'edge' } } }, 'targets.device'],
    ['signals that are not a source', { targets: { device: target() }, signals: 5 }, 'signals'],
    ['a store that is not a StateStore', { targets: { device: target() }, store: {} }, 'store'],
    ['a clock that is not a function', { targets: { device: target() }, clock: 5 }, 'clock'],
    ['a random source that is not a function', { targets: { device: target() }, random: 0.5 }, 'random'],
    ['a difficulty scorer that is not a function', { targets: { device: target() }, difficulty: 0.2 }, 'difficulty'],
    ['a misspelt option', { targets: { device: target() }, polcy: { mode: 'prefer-remote' } }, 'polcy'],
  ])('%s throws InvalidConfigError naming the option, not a TypeError', (_label, options, path) => {
    const problems = configProblems(options);
    expect(problems.map((problem) => problem.path)).toEqual([path]);
    expect(problems[0]!.message).toMatch(/^expected /);
  });

  it('never echoes what a target holds', () => {
    const secret = 'sk-do-not-print-me-123456';
    const problems = configProblems({ targets: { gpu: { apiKey: secret } } });
    expect(JSON.stringify(problems)).not.toContain(secret);
  });
});

describe('route options of the wrong shape', () => {
  it('a target list given as a string is an InvalidRequestError naming options.targets', async () => {
    const router = createRouter({ targets: { device: target() } });
    const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
    const bad = { targets: 'device' as unknown as string[] };
    expect(() => router.plan(request, bad)).toThrow(InvalidRequestError);
    const error = await router.generate(request, bad).catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect((error as InvalidRequestError).problems[0]!.path).toBe('options.targets');
  });
});
