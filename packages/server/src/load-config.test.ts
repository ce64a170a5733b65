import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError } from '@switchyard/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterDescriptors } from './adapter-descriptors.js';
import { createTargetsFromConfig } from './create-targets-from-config.js';
import { loadConfig, parseConfig } from './load-config.js';
import { targetConfigSchemas } from './target-config-schema.js';
import { secretReferences, targetSettings } from './target-settings.js';

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

  it('refuses timers longer than a Node timer can wait, naming each (a longer refresh would run every millisecond)', async () => {
    const tooLong = 2 ** 31;
    const config = { targets: { gpu }, signals: { refreshMs: tooLong }, gateway: { headersTimeoutMs: tooLong } };
    expect(await problemsOf(() => parseConfig(config))).toEqual([
      'signals.refreshMs: expected at most 2147483647 ms (24.8 days): a longer timer fires at once',
      'gateway.headersTimeoutMs: expected at most 2147483647 ms (24.8 days): a longer timer fires at once',
    ]);
    const longest = {
      targets: { gpu },
      signals: { refreshMs: tooLong - 1 },
      gateway: { headersTimeoutMs: tooLong - 1 },
    };
    expect(parseConfig(longest).gateway?.headersTimeoutMs).toBe(tooLong - 1);
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
        'targets.gpu.basURL: unknown setting; did you mean "baseURL"?',
        expect.stringMatching(/^targets\.device\.threads: /),
        expect.stringMatching(/^targets\.device\.modelPath: expected "modelPath"/),
        expect.stringMatching(/^policy\.rules\[0\]\.when\.battery: /),
      ]),
    );
  });
});

/**
 * The smallest valid target of each adapter, and one typo of a setting it takes; a new adapter needs a row here (the
 * tests below fail without one).
 */
const rows: Record<string, { minimal: Record<string, unknown>; typo: [string, string] }> = {
  llamacpp: { minimal: { modelPath: './models/m.gguf' }, typo: ['threds', 'threads'] },
  openai: { minimal: { baseURL: 'http://127.0.0.1:8000/v1', model: 'm' }, typo: ['timeoutMS', 'timeoutMs'] },
  ollama: { minimal: { model: 'llama3.2:1b' }, typo: ['keep_alive', 'keepAlive'] },
  triton: { minimal: { baseURL: 'http://127.0.0.1:8000', model: 'ensemble' }, typo: ['chatTemplat', 'chatTemplate'] },
};

/** `threads` → `thraeds`: two neighbouring letters swapped, the commonest typo. */
function misspell(key: string): string {
  const at = Math.max(0, Math.floor(key.length / 2) - 1);
  return key.slice(0, at) + key[at + 1] + key[at] + key.slice(at + 2);
}

describe.each(Object.keys(adapterDescriptors))('a config target of adapter %s', (adapter) => {
  const row = rows[adapter];
  const minimal = { adapter, ...row?.minimal };

  it('is valid at its smallest', () => {
    expect(parseConfig({ targets: { t: minimal } }).targets.t).toEqual(minimal);
  });

  it('fails at load on a misspelt setting, naming it and the setting meant', async () => {
    const [typo, meant] = row?.typo ?? ['', ''];
    expect(await problemsOf(() => parseConfig({ targets: { t: { ...minimal, [typo]: 2 } } }))).toEqual([
      `targets.t.${typo}: unknown setting; did you mean "${meant}"?`,
    ]);
  });

  it('suggests the right setting for a swap of two letters in any setting it takes', async () => {
    const keys = Object.keys(targetConfigSchemas[adapter as keyof typeof targetConfigSchemas].shape).filter(
      (key) => key !== 'adapter' && misspell(key) !== key,
    );
    expect(keys.length).toBeGreaterThan(3);
    for (const key of keys) {
      const typo = misspell(key);
      expect(await problemsOf(() => parseConfig({ targets: { t: { ...minimal, [typo]: 1 } } }))).toContain(
        `targets.t.${typo}: unknown setting; did you mean "${key}"?`,
      );
    }
  });
});

describe('secrets in a config', () => {
  it('names the two shapes a secret takes when a value has neither, without echoing the value', async () => {
    const problems = await problemsOf(() =>
      parseConfig({
        targets: { gpu: { ...gpu, apiKey: ['sk-in-a-list'], headers: { 'x-api-key': 42 } } },
        gateway: { authToken: 12_345_678 },
      }),
    );
    const shapes = 'expected { "env": "NAME" } (the environment variable holding the secret) or the secret as a string';
    expect(problems).toEqual([
      `targets.gpu.apiKey: ${shapes}`,
      `targets.gpu.headers.x-api-key: ${shapes}`,
      `gateway.authToken: ${shapes}`,
    ]);
    expect(problems.join('\n')).not.toMatch(/sk-in-a-list|12345678/);
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

  it("reports an adapter's own setting errors when the config is loaded, at the target's path", async () => {
    const problems = await problemsOf(() =>
      parseConfig({ targets: { gpu: { ...gpu, apiKey: 'inline', settings: { maxTokensField: 'tokens' } } } }),
    );
    expect(problems).toEqual([expect.stringMatching(/^targets\.gpu\.maxTokensField: /)]);
  });

  it('resolves relative paths against the config folder and sizes the context from the declared window', () => {
    const config = parseConfig(
      { targets: { device: { adapter: 'llamacpp', modelPath: 'm.gguf', capabilities: { contextWindow: 2048 } } } },
      { baseDir: '/srv/app' },
    );
    expect(targetSettings(config.targets.device!, { baseDir: config.baseDir, env: {} })).toEqual({
      modelPath: '/srv/app/m.gguf',
      contextSize: 2048,
    });
  });

  it('reads every secret an adapter declares from the environment, record values one by one', () => {
    const config = parseConfig({
      targets: { gpu: { ...gpu, headers: { 'x-team': { env: 'SY_TEST_TEAM' }, 'x-plain': 'p' } } },
    });
    expect(secretReferences('gpu', config.targets.gpu!)).toEqual([
      { path: 'targets.gpu.apiKey', env: 'SY_TEST_GPU_KEY' },
      { path: 'targets.gpu.headers.x-team', env: 'SY_TEST_TEAM' },
    ]);
    const settings = targetSettings(config.targets.gpu!, { baseDir: '/', env: { SY_TEST_TEAM: 'blue' } });
    expect(settings).toMatchObject({ headers: { 'x-team': 'blue', 'x-plain': 'p' } });
    expect(settings).not.toHaveProperty('apiKey');
  });
});
