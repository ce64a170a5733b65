import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

// esbuild's plugin type as tsup takes it: esbuild is tsup's dependency, not this package's.
type Plugin = NonNullable<Options['esbuildPlugins']>[number];

// The schema files are entries of their own (sideEffects: false), so a page that imports no schema drops them and
// zod with them.
const entry = [
  'src/index.ts',
  'src/errors/index.ts',
  'src/testing/index.ts',
  'src/request-schema.ts',
  'src/capabilities-schema.ts',
  'src/target-status-schema.ts',
];

/**
 * The browser build (`tsup --env.TARGET browser`, into dist/browser) leaves out what only pays off on a busy server:
 * `<name>.browser.ts` beside a module replaces it (the convention core's browser build follows), e.g. the zod-free
 * fast path of `parseRequest`, which a page routing one request at a time does not need. The `browser` and `worker`
 * export conditions point at it.
 */
const browserModules: Plugin = {
  name: 'browser-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const browserFile = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(browserFile) ? { path: browserFile } : undefined;
    });
  },
};

export default defineConfig((options) =>
  options.env?.TARGET === 'browser'
    ? {
        entry,
        outDir: 'dist/browser',
        format: 'esm',
        sourcemap: true,
        external: ['vitest'],
        esbuildPlugins: [browserModules],
      }
    : { entry, format: 'esm', dts: true, sourcemap: true, clean: true, external: ['vitest'] },
);
