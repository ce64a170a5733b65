import { defineConfig } from 'tsup';

/**
 * Two builds. Node (`tsup`): the main entry, `setup` and `testing` (the fault proxy, Node only) bundled into `dist/`,
 * sharing one chunk (one copy of each class), with the declarations of every entry. Browser (`tsup --env.TARGET
 * browser`, the `browser` and `worker` export conditions; no `testing`): one file per module in `dist/browser/`
 * (`browser.js` re-exporting `call-control.js`, `http-client.js`, …), since a page's bundler splits by module: what an
 * adapter loads on demand (adapter-openai's call path: the fetch transport, the HTTP client, the SSE decoder with
 * eventsource-parser, bounded body reads, deadlines) leaves the page's first load only if it is in other files than
 * what a target needs at creation (`setup`: settings, status, capabilities). Bench row 10.
 */
export default defineConfig((options) =>
  options.env?.TARGET === 'browser'
    ? {
        entry: [
          'src/**/*.ts',
          '!src/**/*.test.ts',
          '!src/index.ts',
          // Node only (undici), and outside the browser entries' graphs.
          '!src/http-transport.ts',
          '!src/shared-agent.ts',
          '!src/closed-before-answer.ts',
          '!src/create-pool-target.ts',
          // The `testing` entry (the fault proxy: node:http, node:net) has no browser build.
          '!src/testing/**',
        ],
        outDir: 'dist/browser',
        bundle: false,
        format: 'esm',
        sourcemap: true,
      }
    : {
        entry: { index: 'src/index.ts', 'setup/index': 'src/setup/index.ts', 'testing/index': 'src/testing/index.ts' },
        dts: {
          entry: {
            index: 'src/index.ts',
            browser: 'src/browser.ts',
            'setup/index': 'src/setup/index.ts',
            'testing/index': 'src/testing/index.ts',
          },
        },
        format: 'esm',
        sourcemap: true,
        clean: true,
      },
);
