// Shared vitest settings for every workspace project.
//
// Tests import sibling packages by their public names (`@switchyard/contract`, `@switchyard/contract/testing`), but resolve
// them to the TypeScript sources so a change in one package is seen by another's tests without a rebuild.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function workspaceAliases() {
  const aliases = [];
  for (const group of ['packages', 'tooling', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const dir of readdirSync(groupDir)) {
      const src = join(groupDir, dir, 'src');
      if (!existsSync(src)) continue;
      // Subpath entries such as `@switchyard/contract/testing` map to `src/testing/index.ts` (apps such as the demo
      // have subpath entries without a root one).
      aliases.push({
        find: new RegExp(`^@switchyard/${dir}/([\\w-]+)$`),
        replacement: join(src, '$1', 'index.ts'),
      });
      if (!existsSync(join(src, 'index.ts'))) continue;
      aliases.push({ find: new RegExp(`^@switchyard/${dir}$`), replacement: join(src, 'index.ts') });
    }
  }
  return aliases;
}

/**
 * The vitest project config for one workspace package.
 * @param {{ name: string, testTimeout?: number, hookTimeout?: number, fileParallelism?: boolean }} options
 */
export function switchyardProject(options) {
  return defineProject({
    resolve: { alias: workspaceAliases() },
    test: {
      name: options.name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: options.hookTimeout ?? 120_000,
      fileParallelism: options.fileParallelism ?? true,
    },
  });
}
