import { fileURLToPath } from 'node:url';
import { assertFreshBuild } from '@switchyard/testkit';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const builtWeb = fileURLToPath(new URL('../dist/web/', import.meta.url));

/** Every module specifier `file` imports (statically or with `import()`) that is neither relative nor a URL. */
async function bareImports(file: string): Promise<string[]> {
  const found: string[] = [];
  const recordBare: Plugin = {
    name: 'record-bare-imports',
    setup(onBuild) {
      onBuild.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (!/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(args.path)) found.push(args.path);
        return { path: args.path, external: true };
      });
    },
  };
  await build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [recordBare],
  });
  return found;
}

// The page tests bundle the page from the sources themselves (build-web-assets.ts); this checks what `pnpm build`
// wrote and the demo server serves. A page has no import map: a bare `@switchyard/core` left in a script stops it
// from loading at all (tsup leaves dependencies external unless told otherwise).
describe('the demo page scripts as `pnpm build` writes them (dist/web)', () => {
  beforeAll(() =>
    assertFreshBuild(fileURLToPath(new URL('..', import.meta.url)), {
      entries: ['dist/web/app.js', 'dist/web/page-runtime.js'],
    }),
  );

  it.each(['app.js', 'page-runtime.js'])('%s imports nothing a browser cannot resolve', async (name) => {
    expect(await bareImports(`${builtWeb}${name}`)).toEqual([]);
  });
});
