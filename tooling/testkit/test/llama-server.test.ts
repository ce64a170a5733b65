import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLlamaServer, type LlamaServer, startLlamaServer } from '../src/llama-server.js';
import { ensureTinyModel } from '../src/tiny-model.js';

function getText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** Pids of llama-server processes listening on `port`, found in /proc (Linux), so children are checked too. */
function serversOnPort(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('--port');
      if (args[0]?.endsWith('llama-server') && args[at + 1] === String(port)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startLlamaServer', () => {
  let server: LlamaServer;

  beforeAll(async () => {
    server = await startLlamaServer({ modelPath: await ensureTinyModel(), parallel: 2, alias: 'tiny-test' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves /health and lists the model under its alias on a loopback port', async () => {
    expect(server.baseURL).toBe(`http://127.0.0.1:${server.port}/v1`);
    expect((await getText(`${server.origin}/health`)).status).toBe(200);
    const models = JSON.parse((await getText(`${server.baseURL}/models`)).body) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toContain('tiny-test');
  });

  it('stops the process and every child of it, and stop() is idempotent', async () => {
    const other = await startLlamaServer({ modelPath: await ensureTinyModel() });
    expect(isAlive(other.pid)).toBe(true);
    expect(serversOnPort(other.port)).toHaveLength(1);
    await Promise.all([other.stop(), other.stop()]);
    expect(isAlive(other.pid)).toBe(false);
    expect(serversOnPort(other.port)).toEqual([]);
    await expect(getText(`${other.origin}/health`)).rejects.toThrow();
    expect(other.logs()).toMatch(/listening on http:\/\/127\.0\.0\.1/);
  });

  it('fails with the log tail when the model cannot be loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bad-model-'));
    try {
      const bad = join(dir, 'bad.gguf');
      writeFileSync(bad, 'not a gguf file');
      await expect(startLlamaServer({ modelPath: bad })).rejects.toThrow(/exited before it was ready/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('findLlamaServer', () => {
  it('names the build script when the binary is missing', () => {
    const saved = { cache: process.env.SWITCHYARD_CACHE_DIR, binary: process.env.SWITCHYARD_LLAMA_SERVER };
    const empty = mkdtempSync(join(tmpdir(), 'switchyard-empty-cache-'));
    process.env.SWITCHYARD_CACHE_DIR = empty;
    delete process.env.SWITCHYARD_LLAMA_SERVER;
    try {
      expect(() => findLlamaServer()).toThrow(/scripts\/ensure-llama-server\.mjs/);
    } finally {
      if (saved.cache === undefined) delete process.env.SWITCHYARD_CACHE_DIR;
      else process.env.SWITCHYARD_CACHE_DIR = saved.cache;
      if (saved.binary !== undefined) process.env.SWITCHYARD_LLAMA_SERVER = saved.binary;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
