import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { InvalidArgumentError } from '@ai-sdk/provider';
import { invalidConfigProblems } from '@switchyard/contract/testing';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { describe, expect, it } from 'vitest';
import { createAISDKTarget, createBoundedFetch, createSwitchyard, switchyardMiddleware } from '../src/index.js';

// Settings are checked before anything is called: the model points at a port nothing listens on and is never asked.
const model = createOpenAICompatible({ name: 'unused', baseURL: 'http://127.0.0.1:9/v1' }).chatModel('m');

describe('the ai-sdk factories name the settings they used to ignore', () => {
  it('createSwitchyard: an unknown setting is an InvalidArgumentError naming it; name still names the provider', () => {
    const router = createRouter({ targets: { device: createScriptedTarget({ locality: 'local' }) } });
    let error: unknown;
    try {
      createSwitchyard(router, { foo: 1 } as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'createSwitchyard(router, settings): settings.foo: unknown setting; expected one of name.',
    );
    expect(() => createSwitchyard(router, { Name: 'x' } as never)).toThrow(/settings\.Name: .*did you mean "name"/);
    expect(createSwitchyard(router, { name: 'edge' })('auto').provider).toBe('edge');
    expect(createSwitchyard(router)('device').provider).toBe('switchyard');
  });

  it('createBoundedFetch: names maxBytes, and refuses a cap that is not a positive whole number or a non-function fetch', () => {
    expect(invalidConfigProblems(() => createBoundedFetch({ maxBytes: -1 } as never))).toEqual([
      { path: 'maxBytes', message: 'unknown setting; expected one of maxEventBytes, fetch' },
    ]);
    expect(invalidConfigProblems(() => createBoundedFetch({ maxEventBytes: -1, fetch: 'sk-secret' as never }))).toEqual(
      [
        { path: 'maxEventBytes', message: 'expected a positive whole number of bytes, e.g. 65536, got -1' },
        { path: 'fetch', message: 'expected a fetch function, e.g. globalThis.fetch' },
      ],
    );
    expect(invalidConfigProblems(() => createBoundedFetch({ maxEventBytes: '64k' as never }))).toEqual([
      { path: 'maxEventBytes', message: 'expected a positive whole number of bytes, e.g. 65536' },
    ]);
    expect(typeof createBoundedFetch({ maxEventBytes: 65_536, fetch: globalThis.fetch })).toBe('function');
    expect(typeof createBoundedFetch()).toBe('function');
  });

  it('createAISDKTarget: names an unknown setting with the key it fits, and refuses a deadline no timer can wait', () => {
    expect(
      invalidConfigProblems(() => createAISDKTarget(model, { id: 'x', locality: 'remote', timeoutMS: 5 } as never)),
    ).toEqual([{ path: 'timeoutMS', message: 'unknown setting; did you mean "timeoutMs"?' }]);
    expect(
      invalidConfigProblems(() => createAISDKTarget(model, { id: 'x', locality: 'remote', cost: 1 } as never)),
    ).toEqual([
      {
        path: 'cost',
        message: 'unknown setting; expected one of id, locality, capabilities, price, providerOptions, timeoutMs',
      },
    ]);
    expect(
      invalidConfigProblems(() => createAISDKTarget(model, { id: 'x', locality: 'remote', timeoutMs: 2 ** 31 })),
    ).toEqual([
      { path: 'timeoutMs', message: 'expected at most 2147483647 ms (24.8 days): a longer timer fires at once' },
    ]);
    const target = createAISDKTarget(model, { id: 'x', locality: 'remote', timeoutMs: 30_000 });
    expect(target.id).toBe('x');
  });

  it('switchyardMiddleware: names an unknown setting, at the top and in model', () => {
    const router = { targets: {} };
    expect(
      invalidConfigProblems(() =>
        switchyardMiddleware({ model: { id: 'x', locality: 'remote' }, router, polcy: 1 } as never),
      ),
    ).toEqual([{ path: 'polcy', message: 'unknown setting; expected one of model, router' }]);
    expect(
      invalidConfigProblems(() =>
        switchyardMiddleware({ model: { id: 'x', locality: 'remote', timeoutMS: 5 }, router } as never),
      ),
    ).toEqual([{ path: 'model.timeoutMS', message: 'unknown setting; did you mean "timeoutMs"?' }]);
  });
});
