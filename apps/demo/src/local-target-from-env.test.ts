import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalTargetFromEnv } from './local-target-from-env.js';

describe('createLocalTargetFromEnv', () => {
  it('uses the generated tiny model (the stand-in) when SWITCHYARD_LOCAL_MODEL is unset', async () => {
    const local = await createLocalTargetFromEnv({});
    expect(local.fromEnv).toBe(false);
    expect(local.modelPath).toMatch(/\.gguf$/);
    expect(local.target).toMatchObject({ id: 'llamacpp:switchyard-tiny', locality: 'local' });
    await local.target.dispose();
  });

  it('loads the GGUF file SWITCHYARD_LOCAL_MODEL names, resolved from the working directory', async () => {
    const local = await createLocalTargetFromEnv({ SWITCHYARD_LOCAL_MODEL: 'models/my-model.gguf' });
    expect(local.fromEnv).toBe(true);
    expect(local.modelPath).toBe(resolve('models/my-model.gguf'));
    expect(local.target).toMatchObject({ id: 'llamacpp:my-model', locality: 'local' });
    await local.target.dispose();
  });
});
