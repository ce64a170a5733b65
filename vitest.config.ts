import { defineConfig } from 'vitest/config';

// `pnpm test` runs every workspace project in one vitest process so the run ends with one summary.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/*'],
    // 2-core machines: two workers keep native model loads and servers from starving each other.
    maxWorkers: 2,
  },
});
