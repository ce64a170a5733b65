import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
