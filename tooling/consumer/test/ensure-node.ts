import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A `node` binary of the given major version: the running one when it matches, else the npm registry's `node`
 * package installed once into Switchyard's cache (outside the clone, so later runs reuse it).
 */
export async function ensureNode(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const cache =
    process.env.SWITCHYARD_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchyard');
  const prefix = join(cache, `node${major}`);
  const binary = join(prefix, 'bin', 'node');
  if (!existsSync(binary)) {
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, `node@${major}`, '--no-audit', '--no-fund', '--loglevel=error'],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  }
  return binary;
}
