import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'scripts', 'ensure-llama-server.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'switchyard-ensure-'));

/** Runs the script with only `tools` on PATH and an empty cache, so nothing is reused. */
function runWith(tools: string[]) {
  const bin = mkdtempSync(join(scratch, 'bin-'));
  for (const tool of tools) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, join(bin, tool));
  }
  return spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: bin, SWITCHYARD_CACHE_DIR: mkdtempSync(join(scratch, 'cache-')) },
  });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('ensure-llama-server on a machine without the build tools', () => {
  it('names a missing git and how to install it, without a stack trace', () => {
    const result = runWith([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('needs git, not found on PATH; install with: apt-get install -y git');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names missing cmake and C++ compiler before trying to build', () => {
    const result = runWith(['git']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Building llama-server needs cmake, c++');
    expect(result.stderr).toContain('apt-get install -y cmake g++');
    expect(result.stderr).not.toContain('building llama-server');
  });
});

/** The llama.cpp commit of the bundle node-llama-cpp ships: the cache key the script uses. */
function bundleCommit(): string {
  const require = createRequire(join(import.meta.dirname, '..', 'package.json'));
  let dir = dirname(require.resolve('node-llama-cpp'));
  while (!dir.endsWith('node-llama-cpp')) dir = dirname(dir);
  const heads = execFileSync('git', ['bundle', 'list-heads', join(dir, 'llama', 'gitRelease.bundle')], {
    encoding: 'utf8',
  });
  return heads.trim().split(/\s+/)[0] ?? '';
}

describe('ensure-llama-server when another process holds the build lock', () => {
  it('waits for the other build and reuses its binary instead of building a second time', async () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const dir = join(cache, 'llama-server', bundleCommit());
    mkdirSync(`${dir}.lock`, { recursive: true });
    const holder = spawn('sleep', ['30']);
    writeFileSync(join(`${dir}.lock`, 'pid'), String(holder.pid));
    const child = spawn(process.execPath, [script], { env: { ...process.env, SWITCHYARD_CACHE_DIR: cache } });
    let stdout = '';
    let stderr = '';
    const waiting = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('waiting for it')) resolve();
      });
    });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waiting;
    // The "other build" finishes: its binary lands and its lock goes away.
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'llama-server'), '#!/bin/sh\n');
    rmSync(`${dir}.lock`, { recursive: true, force: true });
    holder.kill();
    expect(await exited).toBe(0);
    expect(stderr).not.toContain('building llama-server ');
    expect(stdout.trim()).toBe(join(dir, 'llama-server'));
  }, 30_000);

  it('takes over a lock left by a process that is gone', () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const dir = join(cache, 'llama-server', bundleCommit());
    mkdirSync(`${dir}.lock`, { recursive: true });
    const gone = spawnSync('true');
    writeFileSync(join(`${dir}.lock`, 'pid'), String(gone.pid));
    const bin = mkdtempSync(join(scratch, 'bin-'));
    const git = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(git, join(bin, 'git'));
    // Without cmake the build stops at once: proof that the script went past the stale lock without waiting.
    const result = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, PATH: bin, SWITCHYARD_CACHE_DIR: cache },
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain('waiting for it');
    expect(result.stderr).toContain('Building llama-server needs cmake');
  });
});
