import { InvalidConfigError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRemoteTargetFromEnv } from './remote-target-from-env.js';

describe('createRemoteTargetFromEnv', () => {
  it('leaves the remote to the stand-in when SWITCHYARD_REMOTE_URL is unset', () => {
    expect(createRemoteTargetFromEnv({ SWITCHYARD_REMOTE_MODEL: 'big' })).toBeUndefined();
  });

  it('names SWITCHYARD_REMOTE_MODEL and the fix when the URL comes without a model', () => {
    let error: unknown;
    try {
      createRemoteTargetFromEnv({ SWITCHYARD_REMOTE_URL: 'http://127.0.0.1:9/v1' });
    } catch (caught) {
      error = caught;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).problems).toEqual([
      expect.objectContaining({ path: 'SWITCHYARD_REMOTE_MODEL', message: expect.stringContaining('name the model') }),
    ]);
  });

  it('builds a remote OpenAI-compatible target on the named endpoint and model', async () => {
    const remote = createRemoteTargetFromEnv({
      SWITCHYARD_REMOTE_URL: 'http://127.0.0.1:9/v1',
      SWITCHYARD_REMOTE_MODEL: 'big',
      SWITCHYARD_REMOTE_API_KEY: 'sk-test',
    });
    expect(remote).toMatchObject({ baseURL: 'http://127.0.0.1:9/v1', model: 'big' });
    expect(remote?.target).toMatchObject({ id: 'openai:big', locality: 'remote' });
    await remote?.target.dispose?.();
  });
});
