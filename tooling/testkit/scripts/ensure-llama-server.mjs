#!/usr/bin/env node
// Builds llama.cpp's `llama-server` offline from the llama.cpp source that node-llama-cpp ships as a git bundle,
// and caches the binary outside the repository, keyed by the bundle's commit. A fresh machine builds once
// (about 5 minutes on 2 cores); later runs on the same machine reuse the cached binary.
//
// Prints the binary's path on the last line of stdout. `SWITCHYARD_CACHE_DIR` overrides the cache location.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function cacheRoot() {
  if (process.env.SWITCHYARD_CACHE_DIR) return process.env.SWITCHYARD_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'switchyard');
}

function bundlePath() {
  // node-llama-cpp does not export its package.json; its entry point sits in dist/, one level below the root.
  const require = createRequire(join(here, '..', 'package.json'));
  const entry = require.resolve('node-llama-cpp');
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'llama', 'gitRelease.bundle')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'llama', 'gitRelease.bundle');
}

/** Throws one error naming every tool in `tools` that cannot be run, and how to install them on Debian/Ubuntu. */
function requireTools(tools, purpose) {
  const missing = tools.filter(({ command }) => {
    try {
      execFileSync(command, ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  const names = missing.map(({ command }) => command).join(', ');
  const packages = missing.map(({ aptPackage }) => aptPackage).join(' ');
  throw new Error(`${purpose} needs ${names}, not found on PATH; install with: apt-get install -y ${packages}`);
}

function log(message) {
  process.stderr.write(`[llama-server] ${message}\n`);
}

/** True when a process with this pid is alive (signal 0 only checks). */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Takes a per-commit build lock (an atomic mkdir), so two test runs that start at once build llama-server once: the
 * second waits for the first and then reuses its binary. A lock left by a dead process is taken over.
 */
function withBuildLock(dir, binary, build) {
  const lock = `${dir}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  let waited = false;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {}
      if (owner && !isAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!waited) log(`another process (pid ${owner || '?'}) is building llama-server; waiting for it`);
      waited = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    }
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return existsSync(binary) ? binary : build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function ensureLlamaServer() {
  const bundle = bundlePath();
  if (!existsSync(bundle)) throw new Error(`llama.cpp source bundle not found at ${bundle}; run pnpm install`);
  requireTools([{ command: 'git', aptPackage: 'git' }], "Reading llama.cpp's bundled source");
  const heads = execFileSync('git', ['bundle', 'list-heads', bundle], { encoding: 'utf8' });
  const commit = heads.trim().split(/\s+/)[0];
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new Error(`cannot read the commit of ${bundle}`);
  const dir = join(cacheRoot(), 'llama-server', commit);
  const binary = join(dir, 'llama-server');
  if (existsSync(binary)) {
    log(`reusing ${binary}`);
    return binary;
  }
  return withBuildLock(dir, binary, () => buildLlamaServer(bundle, commit, dir, binary));
}

function buildLlamaServer(bundle, commit, dir, binary) {
  requireTools(
    [
      { command: 'cmake', aptPackage: 'cmake' },
      { command: 'c++', aptPackage: 'g++' },
    ],
    'Building llama-server',
  );
  log(`building llama-server ${commit.slice(0, 12)} from the bundled source (once per machine, ~5 min on 2 cores)`);
  const work = join(tmpdir(), `switchyard-llama-build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const source = join(work, 'llama.cpp');
  const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  run('git', ['clone', '--quiet', bundle, source], work);
  const build = join(source, 'build');
  run(
    'cmake',
    [
      '-S',
      source,
      '-B',
      build,
      '-DCMAKE_BUILD_TYPE=Release',
      // Without the UI switches the build tries to download llama-server's web UI; this machine is offline.
      '-DLLAMA_USE_PREBUILT_UI=OFF',
      '-DLLAMA_BUILD_UI=OFF',
      '-DLLAMA_OPENSSL=OFF',
      '-DLLAMA_CURL=OFF',
      '-DLLAMA_BUILD_TESTS=OFF',
      '-DLLAMA_BUILD_EXAMPLES=OFF',
      '-DBUILD_SHARED_LIBS=OFF',
      '-DGGML_NATIVE=ON',
    ],
    work,
  );
  run('cmake', ['--build', build, '--config', 'Release', '--target', 'llama-server', '-j', '2'], work);
  const built = join(build, 'bin', 'llama-server');
  if (!existsSync(built)) throw new Error(`build finished but ${built} is missing`);
  mkdirSync(dir, { recursive: true });
  // Rename into place last, so an interrupted build never leaves a half-written binary in the cache.
  renameSync(built, `${binary}.partial`);
  renameSync(`${binary}.partial`, binary);
  rmSync(work, { recursive: true, force: true });
  // Keep only the current commit's build.
  for (const entry of readdirSync(join(cacheRoot(), 'llama-server'))) {
    if (entry !== commit && !entry.endsWith('.lock'))
      rmSync(join(cacheRoot(), 'llama-server', entry), { recursive: true, force: true });
  }
  log(`built ${binary}`);
  return binary;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(`${ensureLlamaServer()}\n`);
  } catch (error) {
    // A clear line instead of a stack trace: the usual cause is a missing system tool on a fresh machine.
    process.stderr.write(`[llama-server] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
