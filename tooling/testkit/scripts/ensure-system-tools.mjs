#!/usr/bin/env node
// Makes sure the system tools the test suite needs are installed: git, cmake and a C++ compiler (to build llama.cpp's
// llama-server once), Chromium (page tests, through playwright-core) and redis-server (the Redis store's tests).
// Missing ones are installed with apt-get when this runs as root on a machine with apt (as `.ci/run` does), and it
// says so; otherwise it prints the one command to run and exits 1.
//
// `SWITCHYARD_NO_APT=1` never installs anything (only reports). `SWITCHYARD_APT_GET` names the apt-get to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Each tool: the commands that provide it (any one will do) and the Debian package that installs it. */
export const systemTools = [
  { commands: ['git'], aptPackage: 'git', purpose: "reading llama.cpp's bundled source" },
  { commands: ['cmake'], aptPackage: 'cmake', purpose: 'building llama-server' },
  { commands: ['c++', 'g++'], aptPackage: 'g++', purpose: 'building llama-server' },
  {
    commands: ['chromium', 'chromium-browser'],
    aptPackage: 'chromium',
    purpose: 'page tests in headless Chromium',
    // A Chromium elsewhere, as the page tests accept it.
    env: 'CHROMIUM_PATH',
  },
  { commands: ['redis-server'], aptPackage: 'redis-server', purpose: 'the Redis store tests' },
];

function runs(command) {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** The tools none of whose commands can be run. */
export function missingTools(tools = systemTools) {
  return tools.filter(
    (tool) => !(tool.env && process.env[tool.env] && existsSync(process.env[tool.env])) && !tool.commands.some(runs),
  );
}

function log(message) {
  process.stderr.write(`[system-tools] ${message}\n`);
}

function apt(aptGet, args) {
  const result = spawnSync(aptGet, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${aptGet} ${args.join(' ')} exited with ${result.status}`);
}

/**
 * Installs what is missing when allowed (root, apt-get present, `SWITCHYARD_NO_APT` unset); returns 0 when every tool
 * is there afterwards, 1 (after printing the command to run) otherwise.
 */
export function ensureSystemTools() {
  const missing = missingTools();
  if (missing.length === 0) return 0;
  const packages = [...new Set(missing.map((tool) => tool.aptPackage))];
  const aptGet = process.env.SWITCHYARD_APT_GET || 'apt-get';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const canApt = runs(aptGet);
  const needs = missing.map((tool) => `${tool.commands[0]} (${tool.purpose})`).join(', ');
  if (isRoot && canApt && !process.env.SWITCHYARD_NO_APT) {
    log(`missing ${needs}; installing with apt-get (running as root): ${packages.join(' ')}`);
    apt(aptGet, ['update', '-qq']);
    apt(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...packages]);
    const still = missingTools(missing);
    if (still.length === 0) {
      log(`installed ${packages.join(' ')}`);
      return 0;
    }
    log(`still missing after apt-get: ${still.map((tool) => tool.commands[0]).join(', ')}`);
    return 1;
  }
  const sudo = isRoot ? '' : 'sudo ';
  log(`missing ${needs}. Install them, then run the tests again:`);
  process.stdout.write(`${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}\n`);
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = ensureSystemTools();
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
