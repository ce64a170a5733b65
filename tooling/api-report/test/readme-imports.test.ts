/**
 * What a reader of the READMEs copies: every `import { … } from '@switchyard/…'` in a TypeScript or JavaScript block
 * of the root, package and app READMEs must name a published package's entry point and exports that entry point's
 * API report lists (the report is kept equal to the built declarations by api-reports.test.ts). And the root README's
 * package table must list every published package, so a new user finds each one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { publishedPackages, reportPath } from '../src/api-report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const packages = publishedPackages(root);

const readmes = [
  'README.md',
  ...['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((dir) => `${group}/${dir}/README.md`)
      .filter((path) => existsSync(join(root, path))),
  ),
];

/** The names a report lists for one entry point (`// name` lines under its `## \`specifier\`` heading). */
function reportedExports(specifier: string): Set<string> | undefined {
  const pkg = packages.find((candidate) => specifier === candidate.name || specifier.startsWith(`${candidate.name}/`));
  if (!pkg?.entries.some((entry) => entry.specifier === specifier)) return undefined;
  const section = readFileSync(reportPath(pkg), 'utf8')
    .split(/^## /m)
    .find((part) => part.startsWith(`\`${specifier}\``));
  return new Set([...(section ?? '').matchAll(/^\/\/ (\S+)$/gm)].map((match) => match[1] as string));
}

/** `[specifier, name]` for every named import from a `@switchyard/` module in the file's code blocks. */
function namedImports(markdown: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const block of markdown.matchAll(/```(?:ts|tsx|js|mjs)\n([\s\S]*?)```/g)) {
    for (const [, names = '', specifier = ''] of (block[1] ?? '').matchAll(
      /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(@switchyard\/[^']+)'/g,
    )) {
      for (const name of names.split(',')) {
        const bare = name
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0];
        if (bare) found.push([specifier, bare]);
      }
    }
  }
  return found;
}

describe('README examples', () => {
  it.each(readmes)('%s imports only what the published packages export', (readme) => {
    const wrong: string[] = [];
    for (const [specifier, name] of namedImports(readFileSync(join(root, readme), 'utf8'))) {
      const exported = reportedExports(specifier);
      if (!exported) wrong.push(`${specifier}: not an entry point of a published package`);
      else if (!exported.has(name)) wrong.push(`${specifier}: no export named ${name}`);
    }
    expect(wrong).toEqual([]);
  });

  it("the root README's package table lists every published package", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(
      readme.indexOf('## Packages'),
      readme.indexOf('\n## ', readme.indexOf('## Packages') + 1),
    );
    const missing = packages.map((pkg) => pkg.name).filter((name) => !table.includes(`[\`${name}\`]`));
    expect(missing).toEqual([]);
  });
});
