import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError } from '@switchyard/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetsFromConfig } from './create-targets-from-config.js';
import { loadConfig, parseConfig } from './load-config.js';

const gpu = {
  adapter: 'openai',
  baseURL: 'http://127.0.0.1:8000/v1',
  model: 'big',
  apiKey: { env: 'SY_TEST_GPU_KEY' },
};

async function problemsOf(work: () => unknown): Promise<string[]> {
  try {
    await work();
  } catch (error) {
    if (!InvalidConfigError.isInstance(error)) throw error;
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  throw new Error('expected an InvalidConfigError');
}

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a .js module whose default export is a function returning the config', async () => {
    const path = join(dir, 'switchyard.config.js');
    await writeFile(
      path,
      `export default async () => (${JSON.stringify({ targets: { gpu }, policy: { mode: 'auto' } })});\n`,
    );
    const config = await loadConfig(path);
    expect(config.policy.mode).toBe('auto');
    expect(config.baseDir).toBe(dir);
    expect(config.targets.gpu?.adapter).toBe('openai');
  });

  it('reports a missing file and broken JSON as config problems', async () => {
    expect((await problemsOf(() => loadConfig(join(dir, 'nope.json')))).join()).toContain('no such file');
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "targets": ');
    expect((await problemsOf(() => loadConfig(broken))).join()).toContain('not valid JSON');
  });

  it('lists every problem by path at once, including unknown keys and the policy', async () => {
    const problems = await problemsOf(() =>
      parseConfig({
        targets: {
          gpu: { ...gpu, basURL: 'typo' },
          device: { adapter: 'llamacpp', threads: 0 },
        },
        policy: { rules: [{ when: { battery: 3 }, use: ['device'] }] },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^targets\.gpu: unknown key "basURL"/),
        expect.stringMatching(/^targets\.device\.threads: /),
        expect.stringMatching(/^targets\.device\.modelPath: expected "modelPath"/),
        expect.stringMatching(/^policy\.rules\[0\]\.when\.battery: /),
      ]),
    );
  });
});

describe('createTargetsFromConfig', () => {
  it('fails naming the variable when a secret is not set, and never prints the secret', async () => {
    const config = parseConfig({ targets: { gpu } });
    const problems = await problemsOf(() => createTargetsFromConfig(config, { env: {} }));
    expect(problems).toEqual([
      'targets.gpu.apiKey: the environment variable SY_TEST_GPU_KEY is not set; export it before starting',
    ]);
    const targets = await createTargetsFromConfig(config, { env: { SY_TEST_GPU_KEY: 'sk-live-abcdef123456' } });
    expect(targets.gpu?.locality).toBe('remote');
    expect(JSON.stringify(targets.gpu)).not.toContain('sk-live-abcdef123456');
  });

  it('applies the capabilities and price a config declares', async () => {
    const config = parseConfig({
      targets: {
        gpu: {
          ...gpu,
          apiKey: 'inline',
          capabilities: { contextWindow: 32_000, tools: false },
          price: { inputPer1M: 1, outputPer1M: 2 },
        },
      },
    });
    const { gpu: target } = await createTargetsFromConfig(config);
    expect(target?.capabilities).toMatchObject({
      contextWindow: 32_000,
      tools: false,
      price: { inputPer1M: 1, outputPer1M: 2 },
    });
  });

  it("re-roots an adapter's own setting errors at the target's path", async () => {
    const config = parseConfig({
      targets: { gpu: { ...gpu, apiKey: 'inline', settings: { maxTokensField: 'tokens' } } },
    });
    const problems = await problemsOf(() => createTargetsFromConfig(config));
    expect(problems).toEqual([expect.stringMatching(/^targets\.gpu\.maxTokensField: /)]);
  });
});
