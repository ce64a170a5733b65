import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CliIO } from '../src/index.js';
import { runCli } from '../src/index.js';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const builtCli = join(packageDir, 'dist', 'cli.js');

/** The result of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function run(argv: string[], io: Partial<CliIO> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    ...io,
  });
  return { code, stdout, stderr };
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let building: Promise<unknown> | undefined;

const isStale = () => !existsSync(builtCli) || statSync(builtCli).mtimeMs < newestSource(join(packageDir, 'src'));

/**
 * Test files run in separate workers, and `tsup --clean` empties dist/ while it builds: a directory lock makes one
 * worker build while the others wait, so none spawns a CLI that is being deleted. A lock left by a killed run is
 * taken over after ten minutes.
 */
async function buildUnderLock(): Promise<void> {
  const lock = join(packageDir, 'node_modules', '.switchyard-cli-build.lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 10 * 60_000) {
        await rm(lock, { recursive: true, force: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (isStale()) await promisify(execFile)('pnpm', ['run', 'build'], { cwd: packageDir });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Builds dist/cli.js when it is missing or older than the sources (the root `pnpm test` builds it beforehand). */
export async function ensureBuiltCli(): Promise<string> {
  if (isStale()) {
    building ??= buildUnderLock();
    await building;
  }
  return builtCli;
}

/** Spawns `node dist/cli.js …` and waits for it to exit. */
export async function spawnCli(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const cli = await ensureBuiltCli();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...argv],
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A temporary folder with helpers to write JSON files into it. */
export async function tempDir(): Promise<{
  dir: string;
  json(name: string, value: unknown): Promise<string>;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-server-'));
  return {
    dir,
    async json(name, value) {
      const path = join(dir, name);
      await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
