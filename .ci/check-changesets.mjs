#!/usr/bin/env node
// Fails when a published package changed since the last release and no pending changeset names it.
// "Since the last release": since the newest `@switchyard/*@*` tag (changesets tags each publish), or since the first
// commit while nothing has been published; `CHANGESET_BASE=<ref>` overrides it (e.g. a pull request's base).
// Test files, READMEs, `vitest.config.ts`, and a `tsconfig.json` whose only change is its `include`/`exclude` (which files
// the typecheck covers) do not count as a change to what users install. `tsup.config.ts` and the rest of a
// `tsconfig.json` (its `compilerOptions` and `extends` shape the built `dist/` and its declarations) do count.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();

const tags = git('tag', '--list', '@switchyard/*@*', '--sort=-creatordate');
const base =
  process.env.CHANGESET_BASE ||
  tags.split('\n').filter(Boolean)[0] ||
  git('rev-list', '--max-parents=0', 'HEAD').split('\n')[0];

const published = new Map();
for (const dir of readdirSync('packages')) {
  const manifestPath = join('packages', dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (!manifest.private) published.set(`packages/${dir}/`, manifest.name);
}

/** The file's text at `ref`, or undefined where it does not exist. */
const textAt = (ref, file) => {
  try {
    return execFileSync('git', ['show', `${ref}:${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
};

/** Whether a package's tsconfig.json changed beyond `include`/`exclude`; unparsable or added/removed counts. */
const tsconfigShapeChanged = (file) => {
  const shape = (text) => {
    const { include: _include, exclude: _exclude, ...rest } = JSON.parse(text);
    return JSON.stringify(rest);
  };
  const before = textAt(base, file);
  const after = textAt('HEAD', file);
  if (before === undefined || after === undefined) return true;
  try {
    return shape(before) !== shape(after);
  } catch {
    return true;
  }
};

const counts = (file) => {
  const inPackage = file.split('/').slice(2).join('/');
  if (/\.test\.tsx?$/.test(file) || /(^|\/)(test|fixtures?)\//.test(inPackage) || /README\.md$/.test(file))
    return false;
  if (inPackage === 'vitest.config.ts') return false;
  if (inPackage === 'tsconfig.json') return tsconfigShapeChanged(file);
  return true;
};
const changed = new Set();
for (const file of git('diff', '--name-only', `${base}..HEAD`).split('\n').filter(Boolean)) {
  for (const [prefix, name] of published) if (file.startsWith(prefix) && counts(file)) changed.add(name);
}

const named = new Set();
for (const file of readdirSync('.changeset')) {
  if (!file.endsWith('.md') || file === 'README.md') continue;
  const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join('.changeset', file), 'utf8'))?.[1] ?? '';
  for (const match of front.matchAll(/^\s*['"]?(@switchyard\/[\w-]+)['"]?\s*:/gm)) named.add(match[1]);
}

const missing = [...changed].filter((name) => !named.has(name)).sort();
if (missing.length > 0) {
  console.error(`Changed since ${base.slice(0, 12)} with no pending changeset: ${missing.join(', ')}.`);
  console.error('Add one with `pnpm changeset` (what changed, for the people who install it).');
  process.exit(1);
}
console.log(`changesets: ${changed.size} changed published packages, each named in a pending changeset.`);
