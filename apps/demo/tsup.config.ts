import { copyFile, mkdir } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The server side: one ESM file; workspace packages and node-llama-cpp stay external (dependencies).
    entry: { main: 'src/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    clean: ['main.*'],
  },
  {
    // The stand-ins other sample apps share (`@switchyard/demo/stand-ins`), with types for their typecheck.
    entry: { 'stand-ins': 'src/stand-ins/index.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: ['stand-ins.*'],
  },
  {
    // The page's scripts, ES modules for the browser, no framework: `app` (the page) and `page-runtime` (the router,
    // wllama and the fetch transport for "in this browser" mode, which `app` imports only on that page).
    entry: { app: 'src/web/app.ts', 'page-runtime': 'src/web/page-runtime.ts' },
    outDir: 'dist/web',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    // One file per entry: the demo server serves these two names and nothing else.
    splitting: false,
    // Everything the scripts import goes into them: tsup leaves a package's dependencies as bare imports by default,
    // which a page cannot resolve (no import map), so "in this browser" mode would not load at all.
    noExternal: [/./],
    clean: true,
    outExtension: () => ({ js: '.js' }),
    async onSuccess() {
      await mkdir('dist/web', { recursive: true });
      await copyFile('src/web/index.html', 'dist/web/index.html');
      await copyFile('src/web/styles.css', 'dist/web/styles.css');
    },
  },
]);
