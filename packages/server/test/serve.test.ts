import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { createRouter } from '@switchyard/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, RouterFromConfig } from '../src/index.js';
import { createGateway, createRouterFromConfig, parseConfig } from '../src/index.js';
import { ensureBuiltCli, spawnCli, tempDir } from './cli-helpers.js';
import { startSlowUpstream } from './scripted-upstream.js';

describe('graceful shutdown', () => {
  let upstream: Awaited<ReturnType<typeof startSlowUpstream>>;
  let built: RouterFromConfig;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = await startSlowUpstream({ words: ['one ', 'two ', 'three ', 'four'], intervalMs: 150 });
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
    const upstream = await startSlowUpstream({ words: ['hi'], intervalMs: 1 });
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

describe('switchyard serve (spawned)', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let upstream: Awaited<ReturnType<typeof startSlowUpstream>>;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    files = await tempDir();
    upstream = await startSlowUpstream({ words: ['all ', 'aboard'], intervalMs: 1 });
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

  it('explains how to use a TypeScript config when Node cannot import it', async () => {
    const config = join(files.dir, 'switchyard.config.ts');
    await writeFile(config, 'const config: unknown = { targets: {} };\nexport default config;\n');
    const result = await spawnCli([
      'plan',
      '--config',
      config,
      '--request',
      await files.json('r.json', { messages: [{ role: 'user', content: 'hi' }] }),
    ]);
    expect(result.code).toBe(1);
    // Node 20 cannot import .ts: the message says what to do. Node >= 22.18 strips types itself and reads the file.
    expect(result.stderr).toMatch(
      Number(process.versions.node.split('.')[0]) < 22 ? /--import tsx/ : /targets: expected at least one target/,
    );
  });
});
