import { InvalidConfigError } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { describe, expect, it } from 'vitest';
import { createGateway, type GatewayOptions } from './index.js';

// Refused before the server exists, so the scripted target is never called.
const router = createRouter({ targets: { device: createScriptedTarget({ locality: 'local' }) } });

function pathsOf(options: unknown): string[] {
  try {
    createGateway(options as GatewayOptions);
  } catch (error) {
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    return (error as InvalidConfigError).problems.map((problem) => problem.path);
  }
  throw new Error('createGateway accepted the options');
}

describe('createGateway options of the wrong shape', () => {
  it.each([
    ['no options (was a TypeError)', undefined, ['options']],
    ['a router that is not one (was a 500 on every request)', { router: {} }, ['router']],
    ['an empty authToken (served /v1 without auth)', { router, authToken: '' }, ['authToken']],
    ['bodyLimitBytes NaN (lifted the limit)', { router, bodyLimitBytes: Number.NaN }, ['bodyLimitBytes']],
    ["bodyLimitBytes '1kb' (lifted the limit)", { router, bodyLimitBytes: '1kb' }, ['bodyLimitBytes']],
    ['bodyLimitBytes -1 (refused every body)', { router, bodyLimitBytes: -1 }, ['bodyLimitBytes']],
    ['a headers timeout past what a timer can wait', { router, headersTimeoutMs: 2 ** 31 }, ['headersTimeoutMs']],
    ['maxConnectionsPerAddress 0', { router, maxConnectionsPerAddress: 0 }, ['maxConnectionsPerAddress']],
    ['keys that are not a list', { router, keys: { sha256: 'x' } }, ['keys']],
    ['a log that is not a function', { router, log: 'stdout' }, ['log']],
  ])('%s is an InvalidConfigError naming the option', (_label, options, paths) => {
    expect(pathsOf(options)).toEqual(paths);
  });

  it('never echoes the token', () => {
    const token = 12345678;
    try {
      createGateway({ router, authToken: token } as unknown as GatewayOptions);
    } catch (error) {
      expect((error as Error).message).not.toContain(String(token));
      return;
    }
    throw new Error('accepted a numeric authToken');
  });

  it('still accepts Infinity connections per address and a token', async () => {
    const gateway = createGateway({
      router,
      authToken: 'secret-token',
      maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
    });
    await gateway.close();
  });
});
