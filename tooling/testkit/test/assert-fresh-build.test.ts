import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertFreshBuild } from '../src/assert-fresh-build.js';

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-fresh-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A source map as tsup writes it: each source's path relative to the map, and its text at build time. */
function sourceMap(sources: Record<string, string>): string {
  return JSON.stringify({
    version: 3,
    sources: Object.keys(sources),
    sourcesContent: Object.values(sources),
    mappings: '',
  });
}

/**
 * A workspace with an app (`@switchyard/app`: dist/main.js, a copied page) that depends on a library
 * (`@switchyard/lib`), both built from the sources now on disk.
 */
function workspace(): { root: string; app: string; lib: string } {
  const root = mkdtempSync(join(scratch, 'repo-'));
  const app = join(root, 'apps', 'app');
  const lib = join(root, 'packages', 'lib');
  write(join(root, 'pnpm-workspace.yaml'), 'packages: [apps/*, packages/*]\n');
  write(
    join(lib, 'package.json'),
    JSON.stringify({
      name: '@switchyard/lib',
      scripts: { build: 'tsup' },
      exports: { '.': { import: './dist/index.js' } },
    }),
  );
  write(join(lib, 'src', 'index.ts'), "export { lib } from './lib.js';\n");
  write(join(lib, 'src', 'lib.ts'), 'export const lib = 1;\n');
  // tsup's shape: the entry, and a chunk it imports, each with its map.
  write(join(lib, 'dist', 'index.js'), 'import{a as lib}from"./chunk-NEW.js";export{lib};\n');
  write(join(lib, 'dist', 'index.js.map'), sourceMap({ '../src/index.ts': "export { lib } from './lib.js';\n" }));
  write(join(lib, 'dist', 'chunk-NEW.js'), 'export const a = 1;\n');
  write(join(lib, 'dist', 'chunk-NEW.js.map'), sourceMap({ '../src/lib.ts': 'export const lib = 1;\n' }));
  write(
    join(app, 'package.json'),
    JSON.stringify({
      name: '@switchyard/app',
      scripts: { build: 'tsup' },
      dependencies: { '@switchyard/lib': 'workspace:*', 'left-pad': '^1.0.0' },
    }),
  );
  mkdirSync(join(app, 'node_modules', '@switchyard'), { recursive: true });
  symlinkSync(lib, join(app, 'node_modules', '@switchyard', 'lib'));
  write(join(app, 'src', 'main.ts'), "import { lib } from '@switchyard/lib';\nconsole.log(lib);\n");
  write(join(app, 'src', 'index.html'), '<p>app</p>\n');
  write(join(app, 'dist', 'main.js'), 'console.log(1);\n');
  write(join(app, 'dist', 'index.html'), '<p>app</p>\n');
  write(
    join(app, 'dist', 'main.js.map'),
    sourceMap({
      '../src/main.ts': "import { lib } from '@switchyard/lib';\nconsole.log(lib);\n",
      // Installed packages are not checked: they change with the lockfile, not with an edit.
      '../node_modules/left-pad/index.js': 'an older left-pad\n',
    }),
  );
  return { root, app, lib };
}

const options = { entries: ['dist/main.js'], copies: [['src/index.html', 'dist/index.html']] as [string, string][] };
const fix = 'run `pnpm turbo run build --filter @switchyard/app...` (or `pnpm build`';

describe('assertFreshBuild (tests of built apps fail at once, naming the fix, on a missing or stale build)', () => {
  it('passes when every source map matches the sources on disk', () => {
    const { app } = workspace();
    expect(() => assertFreshBuild(app, options)).not.toThrow();
  });

  it('passes with a chunk an older build left in dist/ that nothing imports (tsup without clean)', () => {
    const { app, lib } = workspace();
    write(join(lib, 'dist', 'chunk-OLD.js'), 'export const a = 0;\n');
    write(join(lib, 'dist', 'chunk-OLD.js.map'), sourceMap({ '../src/lib.ts': 'export const lib = 0;\n' }));
    expect(() => assertFreshBuild(app, options)).not.toThrow();
  });

  it('passes when sources were only touched (a checkout; turbo replays its cache without rewriting dist)', () => {
    const { app, lib } = workspace();
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(app, 'src', 'main.ts'), later, later);
    utimesSync(join(lib, 'src', 'lib.ts'), later, later);
    expect(() => assertFreshBuild(app, options)).not.toThrow();
  });

  it('names a missing entry and the build command', () => {
    const { app } = workspace();
    rmSync(join(app, 'dist', 'main.js'));
    expect(() => assertFreshBuild(app, options)).toThrow(`apps/app/dist/main.js missing: ${fix}`);
  });

  it("names the app's changed source and the map built from its older text", () => {
    const { app } = workspace();
    write(join(app, 'src', 'main.ts'), 'console.log(2);\n');
    expect(() => assertFreshBuild(app, options)).toThrow(
      'The build of @switchyard/app is stale: apps/app/src/main.ts changed since apps/app/dist/main.js.map was built.',
    );
    expect(() => assertFreshBuild(app, options)).toThrow(fix);
  });

  it("names a workspace dependency's changed source, found through the chunk its entry imports", () => {
    const { app, lib } = workspace();
    write(join(lib, 'src', 'lib.ts'), 'export const lib = 2;\n');
    expect(() => assertFreshBuild(app, options)).toThrow(
      'packages/lib/src/lib.ts changed since packages/lib/dist/chunk-NEW.js.map was built',
    );
  });

  it('names the command given, for a test that needs more than one package built', () => {
    const { app, lib } = workspace();
    write(join(lib, 'src', 'lib.ts'), 'export const lib = 2;\n');
    expect(() => assertFreshBuild(app, { ...options, command: 'pnpm build' })).toThrow(
      'was built. To fix it, run `pnpm build` (`pnpm test` builds first).',
    );
  });

  it('names a source deleted since the build', () => {
    const { app, lib } = workspace();
    rmSync(join(lib, 'src', 'lib.ts'));
    expect(() => assertFreshBuild(app, options)).toThrow('packages/lib/src/lib.ts is gone since');
  });

  it('names a dependency that was never built', () => {
    const { app, lib } = workspace();
    rmSync(join(lib, 'dist'), { recursive: true });
    expect(() => assertFreshBuild(app, options)).toThrow(`packages/lib/dist/index.js missing: ${fix}`);
  });

  it('names a copied file that differs from its source', () => {
    const { app } = workspace();
    write(join(app, 'src', 'index.html'), '<p>app, edited</p>\n');
    expect(() => assertFreshBuild(app, options)).toThrow(
      'apps/app/src/index.html changed since apps/app/dist/index.html',
    );
  });
});
