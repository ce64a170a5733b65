import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltCli, packageDir, tempDir } from './cli-helpers.js';

const repositoryRoot = join(packageDir, '..', '..');
const wrapper = join(packageDir, 'scripts', 'cli-in-init-cwd.mjs');

const config = {
  targets: {
    gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm', capabilities: { contextWindow: 4096 } },
  },
};

/** Runs the wrapper the way `pnpm switchyard …` does: in the repository root, INIT_CWD naming where it was typed. */
function runAsRootScript(argv: string[], initCwd: string | undefined) {
  const env = { ...process.env };
  delete env.INIT_CWD;
  if (initCwd !== undefined) env.INIT_CWD = initCwd;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [wrapper, ...argv],
      { cwd: repositoryRoot, env, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('pnpm switchyard (the root script) reads relative paths from the directory it was typed in', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  const argv = ['plan', '--config', 'my.config.json', '--request', 'request.json', '--json'];

  beforeAll(async () => {
    await ensureBuiltCli();
    files = await tempDir();
    await files.json('my.config.json', config);
    await files.json('request.json', { messages: [{ role: 'user', content: 'Hi' }] });
  });
  afterAll(() => files?.remove());

  it('is what the root package.json runs', async () => {
    const manifest = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.switchyard).toMatch(/&& node packages\/server\/scripts\/cli-in-init-cwd\.mjs$/);
  });

  it('finds --config and --request relative to INIT_CWD, not the repository root it runs in', async () => {
    const result = await runAsRootScript(argv, files.dir);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { plan: { target: string }[] }).plan).toEqual([
      expect.objectContaining({ target: 'gpu' }),
    ]);
  });

  it('without INIT_CWD (run by hand) reads them from its working directory, as before', async () => {
    const result = await runAsRootScript(argv, undefined);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(join(repositoryRoot, 'my.config.json'));
  });
});
