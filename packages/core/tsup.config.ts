import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

// esbuild's plugin type as tsup takes it: esbuild is tsup's dependency, not this package's.
type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The browser build (`tsup --env.TARGET browser`, into dist/browser) swaps the detector's phone-number library,
 * libphonenumber-js with its `max` metadata (~55 KB gzip), for `phone-numbers.browser.ts`, which answers the same
 * calls from generated numbering plans (~13.6 KB gzip) that it loads on demand. The `browser` and `worker` export
 * conditions point at it.
 */
const browserModules: Plugin = {
  name: 'browser-modules',
  setup(build) {
    // The convention (the testkit's page bundles follow it too): `<name>.browser.ts` beside a module replaces it.
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const browserFile = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(browserFile) ? { path: browserFile } : undefined;
    });
  },
};

export default defineConfig((options) =>
  options.env?.TARGET === 'browser'
    ? {
        // Its own directory, so its chunks (the request-trace code and the phone numbering plans, loaded on demand) sit
        // beside it.
        entry: { index: 'src/index.ts', 'pii/index': 'src/pii/index.ts' },
        outDir: 'dist/browser',
        format: 'esm',
        sourcemap: true,
        esbuildPlugins: [browserModules],
      }
    : {
        entry: ['src/index.ts', 'src/pii/index.ts', 'src/testing/index.ts'],
        format: 'esm',
        dts: true,
        sourcemap: true,
        clean: true,
      },
);
