import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'scripts', 'ensure-system-tools.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'switchyard-system-tools-'));
const isRoot = process.getuid?.() === 0;

/** A PATH holding only `tools` (links to the real ones) plus `sh`, so the script sees a machine that lacks the rest. */
function pathWith(tools: string[]): string {
  const bin = mkdtempSync(join(scratch, 'bin-'));
  for (const tool of ['sh', ...tools]) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, join(bin, tool));
  }
  return bin;
}

function run(env: Record<string, string>) {
  return spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, ...env } });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('ensure-system-tools (the pretest step that installs what the tests need)', () => {
  it('does nothing and succeeds when every tool is present', () => {
    const result = run({ PATH: pathWith(['git', 'cmake', 'c++', 'chromium', 'redis-server']) });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints the one apt-get command for what is missing when it may not install', () => {
    const result = run({ PATH: pathWith(['git', 'c++']), SWITCHYARD_NO_APT: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing cmake (building llama-server), chromium (page tests');
    expect(result.stdout.trim()).toBe(
      `${isRoot ? '' : 'sudo '}apt-get install -y --no-install-recommends cmake chromium redis-server`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.runIf(isRoot)(
    'as root with apt-get available, runs apt-get update and install for what is missing and says so (apt-get stand-in that records its arguments)',
    () => {
      const bin = pathWith(['git', 'cmake', 'c++', 'chromium', 'chmod']);
      const record = join(scratch, 'apt-calls.txt');
      // A recording apt-get: answers --version, logs every other call, and "installs" redis-server as a stub.
      writeFileSync(
        join(bin, 'apt-get'),
        [
          '#!/bin/sh',
          'if [ "$1" = "--version" ]; then echo "apt 2.6"; exit 0; fi',
          `echo "$DEBIAN_FRONTEND $*" >> ${record}`,
          `if [ "$1" = "install" ]; then printf '#!/bin/sh\\necho redis 7\\n' > ${bin}/redis-server; chmod +x ${bin}/redis-server; fi`,
        ].join('\n'),
      );
      chmodSync(join(bin, 'apt-get'), 0o755);
      const result = run({ PATH: bin });
      expect(result.status).toBe(0);
      expect(result.stderr).toContain('installing with apt-get (running as root): redis-server');
      expect(result.stderr).toContain('installed redis-server');
      expect(readFileSync(record, 'utf8').trim().split('\n')).toEqual([
        'noninteractive update -qq',
        'noninteractive install -y -qq --no-install-recommends redis-server',
      ]);
    },
  );

  it.runIf(isRoot)('fails with a clear line when apt-get itself fails', () => {
    const bin = pathWith(['git', 'cmake', 'c++', 'redis-server']);
    writeFileSync(join(bin, 'apt-get'), '#!/bin/sh\nif [ "$1" = "--version" ]; then exit 0; fi\nexit 100\n');
    chmodSync(join(bin, 'apt-get'), 0o755);
    const result = run({ PATH: bin });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('apt-get update -qq exited with 100');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
