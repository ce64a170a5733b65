import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webSource = fileURLToPath(new URL('../src/web/', import.meta.url));

/** Bundles the page as `pnpm build` does (tsup runs esbuild) into a temporary folder, so the test needs no build. */
export async function buildPage(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-ai-sdk-chat-'));
  await build({
    entryPoints: [join(webSource, 'app.ts')],
    outfile: join(dir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  await copyFile(join(webSource, 'index.html'), join(dir, 'index.html'));
  return dir;
}
