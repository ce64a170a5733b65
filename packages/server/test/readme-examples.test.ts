import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { ensureTinyModel, type LlamaServer, ReadmeExamples, startLlamaServer, swapOnce } from '@switchyard/testkit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configJsonSchema, createGateway, createRouterFromConfig, loadConfig, parseConfig } from '../src/index.js';
import { run as runCommand } from './cli-helpers.js';

// The README's examples are run as written: the config file, the gateway built from code, the OpenAI client calling
// it, observability, the allowed web origins and host names. The GPU is llama.cpp's real llama-server and the device llama.cpp
// in process, both on the generated tiny model; only addresses and ports are swapped in.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
// Written beside this file so the examples' bare imports (`openai`, `@opentelemetry/api`) resolve from this package.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url), {
  beside: new URL('.', import.meta.url),
});
const dir = examples.dir;

/** The `nth` ```lang block of the section under `heading` (0: the first). */
const block = (heading: string, lang = 'ts', nth = 0) => examples.block(heading, { lang, nth, until: /\n#{2,3} / });
const swap = (source: string, pattern: RegExp, replacement: string) => swapOnce(source, pattern, replacement);
const run = async (name: string, source: string) => (await examples.run(name, source)).exports;

const serveHeading =
  '### `switchyard serve --config <file> [--port 8787] [--host 127.0.0.1] [--auth-token <token>] [--body-limit 1mb] [--allowed-origins <origin,...>] [--allowed-hosts <host,...>] [--log-format text|json] [--quiet]`';

describe('README examples of @switchyard/server (real llama-server and llama.cpp)', () => {
  let llama: LlamaServer;
  beforeAll(async () => {
    const modelPath = await ensureTinyModel();
    llama = await startLlamaServer({ modelPath });
    // The config file names ./models/tiny.gguf beside it: the generated model is put there.
    mkdirSync(join(dir, 'models'));
    symlinkSync(modelPath, join(dir, 'models', 'tiny.gguf'));
    // The README's config file as written, but for the GPU's address.
    const config = swap(block('## The config file', 'json'), /"baseURL": "[^"]+"/, `"baseURL": "${llama.baseURL}"`);
    writeFileSync(join(dir, 'switchyard.config.json'), config);
  });
  afterAll(async () => {
    await llama?.stop();
    examples.dispose();
    vi.unstubAllEnvs();
  });

  it('"The config file" and "Using it from code": the gateway answers the README\'s OpenAI client on the device', async () => {
    vi.stubEnv('GPU_API_KEY', 'upstream-key');
    vi.stubEnv('SWITCHYARD_AUTH_TOKEN', 'gateway-secret');
    // While the gateway listens ("… later"), the client example of `serve` calls it.
    const client = (url: string) =>
      swap(block(serveHeading), /baseURL: '[^']+'/, `baseURL: ${JSON.stringify(`${url}/v1`)}`);
    let fromCode = block('## Using it from code (the demo does this)');
    fromCode = swap(
      fromCode,
      /loadConfig\('switchyard\.config\.json'\)/,
      `loadConfig(${JSON.stringify(join(dir, 'switchyard.config.json'))})`,
    );
    fromCode = swap(fromCode, /port: 8787/, 'port: 0');
    fromCode = swap(fromCode, /^\/\/ … later$/m, 'globalThis.readmeLater = await globalThis.readmeClient(url);');
    const completions: unknown[] = [];
    Object.assign(globalThis, {
      readmeClient: async (url: string) => {
        const { completion } = await run('client', `${client(url)}\nexport { completion };\n`);
        completions.push(completion);
      },
    });
    try {
      await run('from-code', fromCode);
    } finally {
      Reflect.deleteProperty(globalThis, 'readmeClient');
      Reflect.deleteProperty(globalThis, 'readmeLater');
    }
    expect(completions).toHaveLength(1);
    const completion = completions[0] as { choices: Array<{ message: { content: string } }>; switchyard: unknown };
    expect(completion.choices[0]?.message.content.length).toBeGreaterThan(0);
    // A private request: only the device may answer it.
    expect(completion.switchyard).toMatchObject({ target: 'device', locality: 'local', privacy: { private: true } });
  });

  it('"TypeScript configs": the defineConfig() file loads', async () => {
    const file = join(dir, 'switchyard.config.ts');
    writeFileSync(file, block('## The config file', 'ts'));
    const config = await loadConfig(file);
    expect(config.targets.gpu).toMatchObject({ adapter: 'openai', model: 'meta/llama-3.1-70b-instruct' });
    expect(config.policy).toMatchObject({ mode: 'prefer-local' });
  });

  it('"Editor help" and "API keys with limits": the JSON the README shows is valid', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());
    const withSchema = JSON.parse(block('### Editor help', 'json'));
    expect(validate(withSchema), JSON.stringify(validate.errors)).toBe(true);
    const keys = JSON.parse(block(serveHeading, 'json'));
    const parsed = parseConfig({ ...withSchema, ...keys });
    expect(parsed.gateway?.keys).toHaveLength(2);
  });

  it('"switchyard plan": the README\'s request with an email prints the plan the README shows', async () => {
    // The README's shell session: the request piped in, then what `plan` prints (up to its "…").
    const session = block('### `switchyard plan --config <file> --request <file|-> [--signals <file>] [--json]`', 'sh');
    const request = /echo '([^']+)'/.exec(session)?.[1];
    const shown = session
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '…' && line !== '');
    if (!request || shown.length === 0) throw new Error('packages/server/README.md: the plan session changed shape');
    const printed = await runCommand(['plan', '--config', join(dir, 'switchyard.config.json'), '--request', '-'], {
      stdin: Readable.from([request]),
    });
    expect(printed.code).toBe(0);
    expect(printed.stdout.split('\n').slice(0, shown.length)).toEqual(shown);
  });

  it('"Observability": the gateway serves the router\'s GenAI metrics and its own on /metrics', async () => {
    const prelude = [
      "import { TracerProvider } from '@opentelemetry/sdk-trace';",
      "import { parseConfig } from '@switchyard/server';",
      'const tracerProvider = new TracerProvider();',
      `const config = parseConfig({ targets: { gpu: { adapter: 'openai', baseURL: ${JSON.stringify(llama.baseURL)}, model: 'tiny' } } });`,
      "const authToken = 'observability-secret';",
    ].join('\n');
    const source = swap(block('### Observability'), /port: 8787/, 'port: 0');
    const { gateway, router } = await run('observability', `${prelude}\n${source}\nexport { gateway, router };\n`);
    const { url } = gateway as { url: string; close(): Promise<void> };
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const answer = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer observability-secret', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 }),
      });
      expect(answer.status).toBe(200);
      const metrics = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer observability-secret' } });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('switchyard_gateway_requests_total');
      expect(text).toContain('gen_ai_client_operation_duration');
    } finally {
      await (gateway as { close(): Promise<void> }).close();
      await (router as { dispose(): Promise<void> }).dispose();
      stderr.mockRestore();
    }
  });

  it('"From the AI SDK": both providers answer through the gateway, the stream with a clean finish', async () => {
    const { router } = await createRouterFromConfig(
      parseConfig({ targets: { gpu: { adapter: 'openai', baseURL: llama.baseURL, model: 'tiny' } } }),
    );
    const gateway = createGateway({ router, authToken: 'gateway-secret' });
    const url = await gateway.listen({ port: 0 });
    try {
      const source = swapOnce(block('### From the AI SDK'), 'http://127.0.0.1:8787/v1', `${url}/v1`, 2);
      const { exports, logged, written } = await examples.run('ai-sdk', `${source}\nexport { text };\n`);
      expect(typeof exports.text).toBe('string');
      expect((exports.text as string).length).toBeGreaterThan(0);
      expect(written.length).toBeGreaterThan(0);
      expect(logged[0]?.[1]).toMatch(/^(stop|length)$/);
      expect(logged[0]?.[2]).toMatchObject({ outputTokens: expect.any(Number) });
    } finally {
      await gateway.close();
      await router.dispose();
    }
  });

  it('"Web pages": the allowedOrigins option and config key let the listed page in and keep others out', async () => {
    const section = readme.slice(readme.indexOf('- **Web pages (Origin, CORS)**'));
    const fromCode = /\/\/ server: (createGateway\(.*\))$/m.exec(section)?.[1];
    const fromConfig = /\/\/ or switchyard\.config\.json: (\{.*\})$/m.exec(section)?.[1];
    if (!fromCode || !fromConfig)
      throw new Error('packages/server/README.md: the Web pages example lost its two forms');
    const listed = 'https://app.example.com';
    const { gateway: configured } = parseConfig({
      targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'm' } },
      ...JSON.parse(fromConfig),
    }) as {
      gateway?: { allowedOrigins?: string[] };
    };
    expect(configured?.allowedOrigins).toEqual([listed]);
    const router = createRouter({ targets: { gpu: createScriptedTarget({ script: [{ text: 'hello' }] }) } });
    const gateway = new Function('createGateway', 'router', 'authToken', `return ${fromCode};`)(
      createGateway,
      router,
      'page-secret',
    ) as ReturnType<typeof createGateway>;
    const url = await gateway.listen({ port: 0 });
    try {
      const preflight = await fetch(`${url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: {
          origin: listed,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(listed);
      const post = (origin: string) =>
        fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { origin, authorization: 'Bearer page-secret', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] }),
        });
      const allowed = await post(listed);
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(listed);
      const other = await post('https://elsewhere.example.com');
      expect(other.status).toBe(403);
      expect(await other.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    } finally {
      await gateway.close();
      await router.dispose();
    }
  });
  it('"Host names": the allowedHosts option and config key answer the listed names and refuse others', async () => {
    const section = readme.slice(readme.indexOf('- **Host names (DNS rebinding)**'));
    const fromCode = /\/\/ server: (createGateway\(.*\))$/m.exec(section)?.[1];
    const fromConfig = /\/\/ or switchyard\.config\.json: (\{.*\})$/m.exec(section)?.[1];
    const page = /fetch\('(http:\/\/[^']+)'\)/.exec(section)?.[1];
    if (!fromCode || !fromConfig || !page)
      throw new Error('packages/server/README.md: the Host names example lost its two forms or its fetch');
    const { gateway: configured } = parseConfig({
      targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'm' } },
      ...JSON.parse(fromConfig),
    }) as { gateway?: { allowedHosts?: string[] } };
    expect(configured?.allowedHosts).toEqual(['gateway.test', '.example.com']);
    const router = createRouter({ targets: { gpu: createScriptedTarget({ script: [{ text: 'hello' }] }) } });
    const gateway = new Function('createGateway', 'router', `return ${fromCode};`)(createGateway, router) as ReturnType<
      typeof createGateway
    >;
    const url = await gateway.listen({ port: 0 });
    // The page's fetch as the browser sends it once the alias resolves to this loopback: its Host, this port.
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(`${url}${new URL(page).pathname}`, { headers: { host } }, (answer) => {
          answer.resume();
          answer.on('end', () => resolve(answer.statusCode ?? 0));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      expect(await statusFor(new URL(page).host)).toBe(200);
      expect(await statusFor('api.example.com:8787')).toBe(200);
      expect(await statusFor('attacker.example:8787')).toBe(403);
    } finally {
      await gateway.close();
      await router.dispose();
    }
  });
});
