import { copyFile, mkdir } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The server: one ESM file; workspace packages, `ai` and node-llama-cpp stay external (dependencies).
    entry: { main: 'src/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    sourcemap: true,
    clean: ['main.*'],
  },
  {
    // The page's script: the AI SDK's own chat transport and UI message reader, bundled for the browser.
    entry: { app: 'src/web/app.ts' },
    outDir: 'dist/web',
    format: ['iife'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    clean: true,
    noExternal: [/.*/],
    outExtension: () => ({ js: '.js' }),
    async onSuccess() {
      await mkdir('dist/web', { recursive: true });
      await copyFile('src/web/index.html', 'dist/web/index.html');
    },
  },
]);
