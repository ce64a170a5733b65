import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webSource = fileURLToPath(new URL('../src/web/', import.meta.url));

/**
 * Bundles the page the way `pnpm build` does (tsup runs esbuild with the same options) into a temporary folder, so
 * the page test runs on the current sources without a prior build.
 */
export async function buildWebAssets(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-demo-web-'));
  await build({
    entryPoints: [join(webSource, 'app.ts'), join(webSource, 'page-runtime.ts')],
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  await copyFile(join(webSource, 'index.html'), join(dir, 'index.html'));
  await copyFile(join(webSource, 'styles.css'), join(dir, 'styles.css'));
  return dir;
}
