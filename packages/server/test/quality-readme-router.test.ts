/**
 * quality's README example "Use it with the router" is run here as written: it needs `@switchyard/core` beside
 * `@switchyard/quality`, and this package has both (quality depends on neither core nor anything that does). Its free
 * names are a sample of prompts and two scripted targets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scoreDifficulty } from '@switchyard/quality';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../quality/README.md', import.meta.url), 'utf8');
const heading = '## Use it with the router';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-readme-quality-router-'));

describe("quality README: the difficulty scorer in core's router", () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    Reflect.deleteProperty(globalThis, 'readmeShown');
  });

  it('calibrates a threshold from sample prompts and plans with the score of the prompt', async () => {
    if (block === undefined) throw new Error(`packages/quality/README.md: no \`\`\`ts block under "${heading}"`);
    const prelude = [
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      'const samplePrompts = [',
      "  'What is the capital of France?',",
      '  \'Translate "good morning" into Italian.\',',
      "  'Prove that there are infinitely many primes.',",
      "  'A train leaves at 3 pm at 80 km/h; another at 4 pm at 120 km/h. When does the second catch up?',",
      '];',
      "const local = createScriptedTarget({ id: 'device' });",
      "const remote = createScriptedTarget({ id: 'gpu', locality: 'remote' });",
    ].join('\n');
    const plan = /^(router\.plan\(.*\)\.difficulty);( \/\/ .*)$/m;
    expect(block).toMatch(plan);
    const shown: unknown[] = [];
    Object.assign(globalThis, { readmeShown: shown });
    const file = join(dir, 'example.ts');
    writeFileSync(
      file,
      `${prelude}\n${block.replace(plan, 'globalThis.readmeShown.push($1);$2')}\nexport { router };\n`,
    );
    const { router } = await import(pathToFileURL(file).href);
    expect(shown).toEqual([scoreDifficulty('Prove that √2 is irrational.')]);
    expect(router.policy.quality.threshold).toBeGreaterThan(0);
    expect(router.policy.quality.threshold).toBeLessThanOrEqual(1);
  });
});
