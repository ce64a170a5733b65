import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

/**
 * The browser build (`tsup --env.TARGET browser`, into dist/browser) swaps the detector's phone-number library,
 * libphonenumber-js with its `max` metadata (~55 KB gzip), for `phone-numbers.browser.ts`, which answers the same
 * calls from each numbering plan's lengths (~1 KB). The package's `browser` and `worker` export conditions point at it.
 */
const browserPhoneNumbers: Plugin = {
  name: 'browser-phone-numbers',
  setup(build) {
    build.onResolve({ filter: /\/phone-numbers\.js$/ }, (args) => ({
      path: new URL(args.path.replace(/\.js$/, '.browser.ts'), `file://${args.resolveDir}/`).pathname,
    }));
  },
};

export default defineConfig((options) =>
  options.env?.TARGET === 'browser'
    ? {
        entry: { 'browser/index': 'src/index.ts' },
        format: 'esm',
        sourcemap: true,
        esbuildPlugins: [browserPhoneNumbers],
      }
    : {
        entry: ['src/index.ts', 'src/testing/index.ts'],
        format: 'esm',
        dts: true,
        sourcemap: true,
        clean: true,
      },
);
