import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { createRouter } from '@switchyard/core';
import { type OpenAIUpstream, startOpenAIUpstream } from '@switchyard/testkit';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, RouterFromConfig } from '../src/index.js';
import { createGateway, createRouterFromConfig, parseConfig } from '../src/index.js';
import { ensureBuiltCli, run, spawnCli, tempDir } from './cli-helpers.js';

/** `serve` with a malformed flag exits 1 before it loads the config (there is none), saying each of `messages`. */
async function expectRefused(flag: string[], messages: string[]): Promise<void> {
  const result = await run(['serve', '--config', 'missing.json', ...flag], { env: {} });
  expect(result.code).toBe(1);
  for (const message of messages) expect(result.stderr).toContain(message);
}

describe('graceful shutdown', () => {
  let upstream: OpenAIUpstream;
  let built: RouterFromConfig;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream({
      answer: () => ({ words: ['one ', 'two ', 'three ', 'four'], eventDelayMs: 150 }),
    });
    built = await createRouterFromConfig(
      parseConfig({ targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } } }),
    );
    gateway = createGateway({ router: built.router });
  });
  afterAll(async () => {
    await gateway.close({ graceMs: 100 });
    await built.dispose();
    await upstream.close();
  });

  it('finishes a stream in flight, then refuses new connections', async () => {
    const url = await gateway.listen({ port: 0 });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'switchyard/auto',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.choices[0]?.delta.content).toBe('one ');
    const closed = gateway.close();
    let text = first.value?.choices[0]?.delta.content ?? '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      text += next.value.choices[0]?.delta.content ?? '';
    }
    await closed;
    expect(text).toBe('one two three four');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});

describe('a gateway over a router built elsewhere', () => {
  it('pins by model name even when the router had no pin rules, and keeps pinning after setPolicy', async () => {
    const upstream = await startOpenAIUpstream({ answer: () => ({ words: ['hi'], eventDelayMs: 1 }) });
    const router = createRouter({
      targets: {
        first: createOpenAITarget({ baseURL: upstream.baseURL, model: 'one' }),
        second: createOpenAITarget({ baseURL: upstream.baseURL, model: 'two' }),
      },
    });
    const gateway = createGateway({ router });
    try {
      const url = await gateway.listen({ port: 0 });
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const ask = (model: string) =>
        client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect((await ask('switchyard/auto')).response.headers.get('x-switchyard-target')).toBe('first');
      const policy = router.policy;
      expect((await ask('second')).response.headers.get('x-switchyard-target')).toBe('second');
      // Pinning is a per-request option of the router: the gateway leaves the router's policy alone.
      expect(router.policy).toBe(policy);
      expect(router.policy.rules).toEqual([]);
      router.setPolicy({ mode: 'prefer-remote' });
      expect((await ask('two')).response.headers.get('x-switchyard-target')).toBe('second');
    } finally {
      await gateway.close({ graceMs: 100 });
      await router.dispose();
      await upstream.close();
    }
  });
});

describe('switchyard serve (in process)', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let upstream: OpenAIUpstream;

  beforeAll(async () => {
    files = await tempDir();
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['ok'], eventDelayMs: 1 }) });
  });
  afterAll(async () => {
    await upstream.close();
    await files.remove();
  });

  it('takes the auth token from --auth-token before SWITCHYARD_AUTH_TOKEN and the config, on the --host given', async () => {
    const config = await files.json('flag-token.json', {
      targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
      gateway: { authToken: 'config-token-000' },
    });
    const stop = new AbortController();
    let url: string | undefined;
    const serving = run(
      ['serve', '--config', config, '--port', '0', '--host', '127.0.0.1', '--auth-token', 'flag-token-111', '-q'],
      {
        env: { SWITCHYARD_AUTH_TOKEN: 'env-token-222' },
        signal: stop.signal,
        onListening: (listening) => {
          url = listening;
        },
      },
    );
    try {
      await expect.poll(() => url, { timeout: 30_000 }).toBeDefined();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const status = async (token: string) =>
        (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status;
      expect(await status('flag-token-111')).toBe(200);
      expect(await status('env-token-222')).toBe(401);
      expect(await status('config-token-000')).toBe(401);
    } finally {
      stop.abort();
    }
    const result = await serving;
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('flag-token-111');
  });

  it('--log-format json writes one pino JSON line per request on stderr, with the x-request-id, and no secrets', async () => {
    const config = await files.json('json-log.json', {
      targets: {
        remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow', apiKey: 'sk-json-log-upstream-5555' },
      },
      gateway: { metricsPublic: true },
    });
    const stop = new AbortController();
    let url: string | undefined;
    const serving = run(
      ['serve', '--config', config, '--port', '0', '--auth-token', 'json-log-token-4444', '--log-format', 'json'],
      { env: {}, signal: stop.signal, onListening: (listening) => (url = listening) },
    );
    let requestId: string | null = null;
    try {
      await expect.poll(() => url, { timeout: 30_000 }).toBeDefined();
      const answer = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer json-log-token-4444', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'remote', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(answer.status).toBe(200);
      await answer.text();
      requestId = answer.headers.get('x-request-id');
      // gateway.metricsPublic: the scrape needs no token; the router's GenAI metrics share the gateway's registry.
      const scrape = await fetch(`${url}/metrics`);
      expect(scrape.status).toBe(200);
      const exposition = await scrape.text();
      expect(exposition).toMatch(/^# TYPE gen_ai_client_token_usage histogram$/m);
      expect(exposition).toMatch(/^switchyard_route_decisions_total\{[^}]*switchyard_route_target="remote"[^}]*\} 1$/m);
    } finally {
      stop.abort();
    }
    const result = await serving;
    expect(result.code).toBe(0);
    const lines = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.path)).toEqual(['/v1/chat/completions', '/metrics']);
    expect(lines[0]).toMatchObject({ msg: 'request', requestId, status: 200, target: 'remote', method: 'POST' });
    expect(result.stdout + result.stderr).not.toContain('json-log-token-4444');
    expect(result.stdout + result.stderr).not.toContain('sk-json-log-upstream-5555');
  });

  it("serves CORS to the config's gateway.allowedOrigins and refuses other web origins with 403", async () => {
    const config = await files.json('allowed-origins.json', {
      targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
      gateway: { allowedOrigins: ['https://app.example.com'] },
    });
    const stop = new AbortController();
    let url: string | undefined;
    const serving = run(['serve', '--config', config, '--port', '0', '-q'], {
      env: {},
      signal: stop.signal,
      onListening: (listening) => (url = listening),
    });
    // Raw requests: fetch will not send Origin as a browser does.
    const withOrigin = (origin: string) =>
      new Promise<{ status: number; allowOrigin: string | undefined }>((resolve, reject) => {
        const outgoing = httpRequest(`${url}/v1/models`, { headers: { origin } }, (answer) => {
          answer.resume();
          const allowOrigin = answer.headers['access-control-allow-origin'];
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, allowOrigin }));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      await expect.poll(() => url, { timeout: 30_000 }).toBeDefined();
      expect(await withOrigin('https://app.example.com')).toEqual({
        status: 200,
        allowOrigin: 'https://app.example.com',
      });
      expect(await withOrigin('https://other.example.com')).toEqual({ status: 403, allowOrigin: undefined });
      expect((await fetch(`${url}/v1/models`)).status).toBe(200);
    } finally {
      stop.abort();
    }
    expect((await serving).code).toBe(0);
  });

  it('--allowed-origins replaces the config list, and a malformed origin is refused before loading anything', async () => {
    const config = await files.json('flag-origins.json', {
      targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
      gateway: { allowedOrigins: ['https://app.example.com'] },
    });
    await expectRefused(
      ['--allowed-origins', 'http://localhost:5173/'],
      ['--allowed-origins: expected an exact origin', 'use "http://localhost:5173"'],
    );
    const stop = new AbortController();
    let url: string | undefined;
    const serving = run(
      [
        'serve',
        '--config',
        config,
        '--port',
        '0',
        '-q',
        '--allowed-origins',
        'http://localhost:5173, https://b.example',
      ],
      { env: {}, signal: stop.signal, onListening: (listening) => (url = listening) },
    );
    const statusFrom = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(`${url}/v1/models`, { headers: { origin } }, (answer) => {
          answer.resume();
          answer.on('end', () => resolve(answer.statusCode ?? 0));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      await expect.poll(() => url, { timeout: 30_000 }).toBeDefined();
      expect(await statusFrom('http://localhost:5173')).toBe(200);
      expect(await statusFrom('https://b.example')).toBe(200);
      expect(await statusFrom('https://app.example.com')).toBe(403);
    } finally {
      stop.abort();
    }
    expect((await serving).code).toBe(0);
  });

  it('answers the names in gateway.allowedHosts, --allowed-hosts replaces them, and a bad name is refused first', async () => {
    const config = await files.json('allowed-hosts.json', {
      targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
      gateway: { allowedHosts: ['gateway.test'] },
    });
    await expectRefused(
      ['--allowed-hosts', 'http://gateway.test:8787'],
      ['--allowed-hosts: expected a host name alone', 'use "gateway.test"'],
    );
    // Raw requests: fetch will not send another Host.
    const statusFor = (url: string | undefined, host: string) =>
      new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(`${url}/health`, { headers: { host } }, (answer) => {
          answer.resume();
          answer.on('end', () => resolve(answer.statusCode ?? 0));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    for (const flags of [[], ['--allowed-hosts', 'other.test, .example.com']]) {
      const stop = new AbortController();
      let url: string | undefined;
      const serving = run(['serve', '--config', config, '--port', '0', '-q', ...flags], {
        env: {},
        signal: stop.signal,
        onListening: (listening) => (url = listening),
      });
      try {
        await expect.poll(() => url, { timeout: 30_000 }).toBeDefined();
        const fromFlag = flags.length > 0;
        expect(await statusFor(url, 'gateway.test:8787')).toBe(fromFlag ? 403 : 200);
        expect(await statusFor(url, 'other.test:8787')).toBe(fromFlag ? 200 : 403);
        expect(await statusFor(url, 'api.example.com')).toBe(fromFlag ? 200 : 403);
        expect(await statusFor(url, 'attacker.example:8787')).toBe(403);
        expect(await statusFor(url, `localhost:${new URL(url as string).port}`)).toBe(200);
      } finally {
        stop.abort();
      }
      expect((await serving).code).toBe(0);
    }
  });

  it('refuses a --log-format other than text or json before loading anything', async () => {
    const config = await files.json('bad-log-format.json', {
      targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
    });
    const result = await run(['serve', '--config', config, '--port', '0', '--log-format', 'xml'], { env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--log-format: expected "text" or "json", got "xml"');
  });

  it("names the unset variable of the config's gateway.authToken and refuses to start", async () => {
    const config = await files.json('env-token.json', {
      targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow' } },
      gateway: { authToken: { env: 'SY_GATEWAY_TOKEN_UNSET' } },
    });
    const result = await run(['serve', '--config', config, '--port', '0'], { env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('gateway.authToken: the environment variable SY_GATEWAY_TOKEN_UNSET is not set');
  });
});

describe('switchyard serve (spawned)', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let upstream: OpenAIUpstream;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    files = await tempDir();
    // Model `endless` streams for 40 s: a request still in flight when serve is told to stop.
    upstream = await startOpenAIUpstream({
      answer: (body) =>
        body.model === 'endless'
          ? { words: Array.from({ length: 400 }, () => 'on '), eventDelayMs: 100 }
          : { words: ['all ', 'aboard'], eventDelayMs: 1 },
    });
    await ensureBuiltCli();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await upstream.close();
    await files.remove();
  });

  it('serves the gateway with bearer auth from the environment and exits 0 on SIGTERM', async () => {
    const config = await files.json('switchyard.config.json', {
      targets: {
        remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow', apiKey: { env: 'SY_UPSTREAM_KEY' } },
      },
    });
    const token = 'serve-token-abcdef123456';
    child = spawn(process.execPath, [await ensureBuiltCli(), 'serve', '--config', config, '--port', '0'], {
      env: { ...process.env, SWITCHYARD_AUTH_TOKEN: token, SY_UPSTREAM_KEY: 'sk-upstream-987654321' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      child!.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
      child!.stdout!.on('data', () => {
        const match = /gateway on (http:\/\/\S+)\/v1/.exec(stdout);
        if (match) resolve(match[1]!);
      });
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'remote',
      messages: [{ role: 'user', content: 'go' }],
    });
    expect(completion.choices[0]?.message.content).toBe('all aboard');
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stderr).toMatch(/POST \/v1\/chat\/completions 200 remote/);
    expect(stdout + stderr).not.toContain(token);
    expect(stdout + stderr).not.toContain('sk-upstream-987654321');
  });

  it('says what a stop waits for and for how long; a second Ctrl-C stops at once, cutting the stream', async () => {
    const config = await files.json('endless.json', {
      targets: { remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'endless' } },
    });
    const server = spawn(process.execPath, [await ensureBuiltCli(), 'serve', '--config', config, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    let stdout = '';
    let stderr = '';
    server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      server.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
      server.stdout.on('data', () => {
        const match = /gateway on (http:\/\/\S+)\/v1/.exec(stdout);
        if (match) resolve(match[1]!);
      });
    });
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'remote', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    const exited = once(server, 'exit');
    server.kill('SIGINT');
    await new Promise<void>((resolve) => {
      const check = () => (stderr.includes('Received SIGINT') ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(stderr).toContain(
      'Received SIGINT: finishing in-flight requests (at most 10 s; press Ctrl-C again to stop at once)…',
    );
    server.kill('SIGINT');
    const [code, signal] = await exited;
    child = undefined; // exited by a signal, so its exitCode stays null
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
    let body = '';
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        body += new TextDecoder().decode(chunk.value);
      }
    } catch {
      // The connection was cut: the stream never finished.
    }
    expect(body).not.toContain('[DONE]');
  });

  it('refuses to start when a secret the config names is not set', async () => {
    const config = await files.json('needs-key.json', {
      targets: {
        remote: { adapter: 'openai', baseURL: upstream.baseURL, model: 'slow', apiKey: { env: 'SY_UNSET_KEY_X' } },
      },
    });
    const result = await spawnCli(['serve', '--config', config, '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('targets.remote.apiKey: the environment variable SY_UNSET_KEY_X is not set');
  });

  it('reads a TypeScript config with types and a relative import on any supported Node', async () => {
    const dir = join(files.dir, 'ts-config');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'targets.ts'),
      "export interface GpuTarget { adapter: 'openai'; baseURL: string; model: string }\n" +
        "export const gpu: GpuTarget = { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'big' };\n",
    );
    const config = join(dir, 'switchyard.config.ts');
    await writeFile(
      config,
      "import { gpu } from './targets.js';\n" +
        "const mode: 'prefer-local' | 'remote-only' = 'remote-only';\n" +
        'export default { targets: { gpu }, policy: { mode } };\n',
    );
    const result = await spawnCli([
      'plan',
      '--config',
      config,
      '--json',
      '--request',
      await files.json('r.json', { messages: [{ role: 'user', content: 'hi' }] }),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).plan).toEqual([expect.objectContaining({ target: 'gpu' })]);
    // The compiled module written beside the config is removed again.
    expect((await readdir(dir)).sort()).toEqual(['switchyard.config.ts', 'targets.ts']);

    await writeFile(config, 'export default { targets: {\n');
    const broken = await spawnCli(['plan', '--config', config, '--request', join(files.dir, 'r.json')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('switchyard.config.ts:2:');
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });
});
