import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiReport, publishedPackages, reportPath } from '../src/api-report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const packages = publishedPackages(root);

describe('API reports', () => {
  it.each(packages.map((pkg) => [pkg.name, pkg] as const))(
    '%s: the committed report matches the built declarations',
    (_name, pkg) => {
      const path = reportPath(pkg);
      expect(existsSync(path), `${relative(root, path)} is missing: run \`pnpm api-report\``).toBe(true);
      const committed = readFileSync(path, 'utf8');
      // On a mismatch the diff below is the API change; accept it with `pnpm api-report` if it is intended.
      expect(apiReport(pkg), `${relative(root, path)} is stale: run \`pnpm api-report\` and review the diff`).toBe(
        committed,
      );
    },
  );

  it('lists every export of every entry point, without doc comments', () => {
    const core = packages.find((pkg) => pkg.name === '@switchyard/core');
    expect(core).toBeDefined();
    if (!core) return;
    const report = apiReport(core);
    expect(report).toContain('## `@switchyard/core`');
    expect(report).toMatch(/^\/\/ createRouter$/m);
    expect(report).toMatch(/declare function createRouter\(/);
    expect(report).not.toContain('/**');
  });
});
