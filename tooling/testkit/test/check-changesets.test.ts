import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// CI's changeset check (.ci/check-changesets.mjs), run in a scratch git repository holding one published package.
const script = join(import.meta.dirname, '..', '..', '..', '.ci', 'check-changesets.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'switchyard-check-changesets-'));
const gitEnv = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@localhost',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@localhost',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tsconfig = (include: string[], compilerOptions: Record<string, unknown> = {}) =>
  `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions, include }, null, 2)}\n`;

/** A repository whose first commit holds @switchyard/widget; `change` edits it and the result is the second commit. */
function repoAfter(change: Record<string, string>) {
  const dir = mkdtempSync(join(scratch, 'repo-'));
  const files: Record<string, string> = {
    'packages/widget/package.json': JSON.stringify({ name: '@switchyard/widget', version: '1.0.0' }),
    'packages/widget/src/index.ts': 'export const widget = 1;\n',
    'packages/widget/tsconfig.json': tsconfig(['src']),
    'packages/widget/tsup.config.ts': "export default { entry: ['src/index.ts'] };\n",
    'packages/widget/vitest.config.ts': 'export default {};\n',
    '.changeset/README.md': 'changesets\n',
  };
  const write = (entries: Record<string, string>) => {
    for (const [path, text] of Object.entries(entries)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...gitEnv } });
  write(files);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'first');
  write(change);
  git('add', '-A');
  git('commit', '-qm', 'change');
  return spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...gitEnv } });
}

describe('check-changesets (CI fails when a published package changed with no changeset naming it)', () => {
  it('fails on a source change with no changeset, naming the package', () => {
    const result = repoAfter({ 'packages/widget/src/index.ts': 'export const widget = 2;\n' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no pending changeset: @switchyard/widget.');
  });

  it('counts a tsup.config.ts change: it changes what the build publishes', () => {
    const result = repoAfter({
      'packages/widget/tsup.config.ts': "export default { entry: ['src/index.ts'], dts: true };\n",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('@switchyard/widget');
  });

  it("counts a tsconfig.json compilerOptions change: tsup's declarations are built with them", () => {
    const result = repoAfter({ 'packages/widget/tsconfig.json': tsconfig(['src'], { target: 'es2019' }) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('@switchyard/widget');
  });

  it('does not count a tsconfig.json that only widens what the typecheck includes', () => {
    const result = repoAfter({ 'packages/widget/tsconfig.json': tsconfig(['src', 'test', 'vitest.config.ts']) });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0 changed published packages');
  });

  it('does not count a vitest.config.ts change', () => {
    const result = repoAfter({ 'packages/widget/vitest.config.ts': 'export default { test: {} };\n' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0 changed published packages');
  });

  it('passes a counted change once a pending changeset names the package', () => {
    const result = repoAfter({
      'packages/widget/tsup.config.ts': "export default { entry: ['src/index.ts'], dts: true };\n",
      '.changeset/widget-dts.md': '---\n"@switchyard/widget": patch\n---\n\nDeclarations.\n',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 changed published packages, each named in a pending changeset');
  });
});
