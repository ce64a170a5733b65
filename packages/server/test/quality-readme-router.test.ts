/**
 * quality's README example "Use it with the router" is run here as written: it needs `@switchyard/core` beside
 * `@switchyard/quality`, and this package has both (quality depends on neither core nor anything that does). Its free
 * names are a sample of prompts and two scripted targets.
 */
import { scoreDifficulty } from '@switchyard/quality';
import { ReadmeExamples, swapOnce } from '@switchyard/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const examples = new ReadmeExamples(new URL('../../quality/README.md', import.meta.url));

describe("quality README: the difficulty scorer in core's router", () => {
  afterAll(() => {
    examples.dispose();
    Reflect.deleteProperty(globalThis, 'readmeShown');
  });

  it('calibrates a threshold from sample prompts and plans with the score of the prompt', async () => {
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
    const block = swapOnce(
      examples.block('## Use it with the router'),
      /^(router\.plan\(.*\)\.difficulty);( \/\/ .*)$/m,
      (_, call, comment) => `globalThis.readmeShown.push(${call});${comment}`,
    );
    const shown: unknown[] = [];
    Object.assign(globalThis, { readmeShown: shown });
    const { router } = (await examples.run('example', `${prelude}\n${block}\nexport { router };\n`)).exports as {
      router: { policy: { quality: { threshold: number } } };
    };
    expect(shown).toEqual([scoreDifficulty('Prove that √2 is irrational.')]);
    expect(router.policy.quality.threshold).toBeGreaterThan(0);
    expect(router.policy.quality.threshold).toBeLessThanOrEqual(1);
  });
});
