import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, defineConfig, loadConfig } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const valid = {
  $schema: './node_modules/@switchyard/server/dist/switchyard.config.schema.json',
  targets: {
    device: { adapter: 'llamacpp', modelPath: './models/qwen.gguf', threads: 2, capabilities: { tools: false } },
    gpu: {
      adapter: 'openai',
      baseURL: ['http://10.0.0.1:8000/v1', 'http://10.0.0.2:8000/v1'],
      model: 'meta/llama-3.1-70b-instruct',
      apiKey: { env: 'GPU_API_KEY' },
      price: { inputPer1M: 0.6, outputPer1M: 0.8 },
    },
    ollama: { adapter: 'ollama', model: 'llama3.2:1b' },
    triton: { adapter: 'triton', baseURL: 'http://127.0.0.1:8001', model: 'ensemble' },
  },
  policy: {
    mode: 'prefer-local',
    device: { minBatteryLevel: 0.2 },
    budget: { maxCostUsd: { amount: 5, period: 'day' } },
    quality: { threshold: 0.6 },
    rules: [{ name: 'batch', when: { tags: ['batch'] }, use: ['gpu'] }],
  },
  store: { type: 'redis', url: { env: 'REDIS_URL' } },
  gateway: {
    port: 8080,
    allowedHosts: ['gateway.test'],
    keys: [{ name: 'team-a', key: { env: 'TEAM_A_KEY' }, limits: { requestsPerMinute: 60 } }],
  },
};

function validator() {
  return new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());
}

describe('the config JSON Schema', () => {
  it('ships in dist as the schema the code validates with', async () => {
    const shipped = JSON.parse(await readFile(join(packageDir, 'dist', 'switchyard.config.schema.json'), 'utf8'));
    expect(shipped).toEqual(configJsonSchema());
    expect(shipped.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('accepts a config that uses every section (checked by a real JSON Schema validator)', () => {
    const validate = validator();
    expect(validate(valid), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown adapter', { targets: { x: { adapter: 'vllm', baseURL: 'http://h/v1', model: 'm' } } }, '/targets/x'],
    ['a misspelt setting', { targets: { d: { adapter: 'llamacpp', modelpath: './m.gguf' } } }, '/targets/d'],
    ['a policy mode that does not exist', { ...valid, policy: { mode: 'fastest' } }, '/policy/mode'],
    ['a port out of range', { ...valid, gateway: { port: 70_000 } }, '/gateway/port'],
    ['an unknown top-level key', { ...valid, target: {} }, ''],
  ])('rejects %s, pointing at the field', (_what, config, path) => {
    const validate = validator();
    expect(validate(config)).toBe(false);
    expect(validate.errors?.some((error) => error.instancePath === path)).toBe(true);
  });
});

describe('defineConfig', () => {
  it('returns its argument and types the fields', () => {
    const config = defineConfig({
      targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },
    });
    expect(config.targets.gpu).toEqual({ adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' });
    // Each line below must fail to compile (typecheck fails if one compiles cleanly): a misspelt setting, a bad mode.
    // @ts-expect-error: `modelpath` is not a llamacpp setting
    defineConfig({ targets: { device: { adapter: 'llamacpp', modelpath: './m.gguf' } } });
    // @ts-expect-error: not a routing mode
    defineConfig({ targets: {}, policy: { mode: 'fastest' } });
  });

  it('types a switchyard.config.ts that switchyard loads as it is', async () => {
    // Inside the package, so the config's `import ... from '@switchyard/server'` resolves (self-reference).
    const dir = await mkdtemp(join(packageDir, 'test', '.tmp-define-config-'));
    try {
      const file = join(dir, 'switchyard.config.ts');
      await writeFile(
        file,
        [
          "import { defineConfig } from '@switchyard/server';",
          'export default defineConfig({',
          "  targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },",
          "  policy: { mode: 'remote-only' },",
          '});',
        ].join('\n'),
      );
      const loaded = await loadConfig(file);
      expect(loaded.targets.gpu).toMatchObject({ adapter: 'openai', model: 'm' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
