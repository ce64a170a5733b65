import { Writable } from 'node:stream';
import type { InputProblem } from '@switchyard/contract';
import { InvalidConfigError } from '@switchyard/contract';
import { invalidConfigProblems } from '@switchyard/contract/testing';
import { describe, expect, it } from 'vitest';
import { createRouterFromConfig } from './create-router-from-config.js';
import { createTargetsFromConfig } from './create-targets-from-config.js';
import { createJsonLogger } from './gateway-logger.js';
import { parseConfig } from './load-config.js';

async function rejectedProblems(work: () => Promise<unknown>): Promise<InputProblem[]> {
  try {
    await work();
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error.problems;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

// A config whose one secret is unset: `missingSecrets: 'omit'` is the option that lets it through.
const config = parseConfig({
  targets: {
    gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm', apiKey: { env: 'H56_UNSET_KEY' } },
  },
});

describe('the config factories name the options they used to ignore', () => {
  it('createTargetsFromConfig: a misspelt missingSecrets is named instead of failing on the secret it was meant to allow', async () => {
    expect(
      await rejectedProblems(() => createTargetsFromConfig(config, { env: {}, missingSecret: 'omit' } as never)),
    ).toEqual([{ path: 'options.missingSecret', message: 'unknown setting; did you mean "missingSecrets"?' }]);
    expect(
      (await rejectedProblems(() => createTargetsFromConfig(config, { env: {}, missingSecrets: 'skip' as never })))[0]
        ?.path,
    ).toBe('options.missingSecrets');
    const built = await createTargetsFromConfig(config, { env: {}, missingSecrets: 'omit' });
    expect(Object.keys(built)).toEqual(['gpu']);
  });

  it('createRouterFromConfig: a misspelt option is named with the one it is probably a typo of', async () => {
    expect(await rejectedProblems(() => createRouterFromConfig(config, { env: {}, signal: {} } as never))).toEqual([
      { path: 'options.signal', message: 'unknown setting; did you mean "signals"?' },
    ]);
    const built = await createRouterFromConfig(config, { env: {}, missingSecrets: 'omit' });
    expect(Object.keys(built.targets)).toEqual(['gpu']);
    await built.dispose();
  });

  it('createJsonLogger: a destination without write() is refused at once, not on the first request', () => {
    expect(invalidConfigProblems(() => createJsonLogger({ wirte() {} } as never))).toEqual([
      {
        path: 'destination',
        message: 'expected a stream with write(line), e.g. process.stderr, or nothing for stdout',
      },
    ]);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    createJsonLogger(sink).info({ requestId: 'r1' }, 'request');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ requestId: 'r1', msg: 'request' });
  });
});
