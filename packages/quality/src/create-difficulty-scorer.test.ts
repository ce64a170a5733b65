import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidConfigError } from '@switchyard/contract';
import { invalidConfigProblems } from '@switchyard/contract/testing';
import { describe, expect, it } from 'vitest';
import { createDifficultyScorer } from './create-difficulty-scorer.js';
import { encodeHead } from './difficulty-weights.js';
import { featureDimension } from './extract-features.js';
import { scoreDifficulty } from './score-difficulty.js';
import shippedWeights from './weights.json' with { type: 'json' };

const prompts = [
  '',
  'What is the capital of France?',
  'Janet’s ducks lay 16 eggs per day. She eats three for breakfast. How much in dollars does she make?',
  'Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\nA. 0\nB. 1\nC. 2\nD. 3\nAnswer:',
  'Ünïcödé — 数学の問題 🚀 '.repeat(40),
  'x'.repeat(10_000),
  'The quick brown fox, 12 apples and $3.50 each. '.repeat(90).slice(0, 4096),
];

describe('createDifficultyScorer', () => {
  it('returns the same score in [0, 1] every time for the same prompt', () => {
    const first = createDifficultyScorer();
    const second = createDifficultyScorer();
    for (const prompt of prompts) {
      const score = first(prompt);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(first(prompt)).toBe(score);
      expect(second(prompt)).toBe(score);
      expect(scoreDifficulty(prompt)).toBe(score);
    }
  });

  it('does not let one prompt change the score of the next (buffers are reused)', () => {
    const scorer = createDifficultyScorer();
    const alone = scorer('What is 2 + 2?');
    scorer('word '.repeat(5000));
    expect(scorer('What is 2 + 2?')).toBe(alone);
  });

  it('ships weights of at most 1 MB', () => {
    const path = fileURLToPath(new URL('./weights.json', import.meta.url));
    expect(statSync(path).size).toBeLessThanOrEqual(1024 * 1024);
  });

  it('scores moral-scenario questions (where the strong model gains most) above simple geography', () => {
    const moral =
      'For which of these two scenarios does the main character (who uses I/me/my) do something clearly morally wrong, according to ordinary moral standards in the US as of 2020? Scenario 1 | I took his wallet after he fell asleep. Scenario 2 | I walked the dog.\nA. Wrong, Wrong\nB. Wrong, Not wrong\nC. Not wrong, Wrong\nD. Not wrong, Not wrong\nAnswer:';
    const geography =
      'Which of the following is the capital of France?\nA. Berlin\nB. Paris\nC. Madrid\nD. Rome\nAnswer:';
    expect(scoreDifficulty(moral)).toBeGreaterThan(scoreDifficulty(geography));
  });

  it('uses weights passed in instead of the shipped ones', () => {
    const features = { hashBits: 8, wordBigrams: false, charNgram: 0 };
    const zero = new Float32Array(featureDimension(features));
    const alwaysHard = createDifficultyScorer({
      weights: {
        format: 'switchyard-difficulty/1',
        features,
        score: 'probability',
        heads: { positive: encodeHead(zero, 5) },
      },
    });
    expect(alwaysHard('anything')).toBeCloseTo(1 / (1 + Math.exp(-5)), 6);
  });

  it('rejects a weights file with a missing head, naming the field', () => {
    const broken = { ...shippedWeights, heads: { help: shippedWeights.heads.help } };
    expect(() => createDifficultyScorer({ weights: broken as never })).toThrowError(/weights\.heads\.hurt/);
    try {
      createDifficultyScorer({ weights: broken as never });
    } catch (error) {
      expect(InvalidConfigError.isInstance(error)).toBe(true);
    }
  });

  it('returns P(weak fails and strong succeeds) with output help-probability, consistent with the score', () => {
    const score = createDifficultyScorer();
    const help = createDifficultyScorer({ output: 'help-probability' });
    for (const prompt of prompts) {
      const probability = help(prompt);
      expect(probability).toBeGreaterThanOrEqual(0);
      expect(probability).toBeLessThanOrEqual(1);
      // score = (1 + help − hurt) / 2 with hurt in [0, 1], so help lies in [2·score − 1, 2·score].
      expect(probability).toBeGreaterThanOrEqual(2 * score(prompt) - 1 - 1e-9);
      expect(probability).toBeLessThanOrEqual(2 * score(prompt) + 1e-9);
    }
    expect(new Set(prompts.map(help)).size).toBeGreaterThan(3);
  });

  it('rejects output help-probability for weights without a help head, and an unknown output, naming the field', () => {
    const features = { hashBits: 8, wordBigrams: false, charNgram: 0 };
    const weights = {
      format: 'switchyard-difficulty/1' as const,
      features,
      score: 'probability' as const,
      heads: { positive: encodeHead(new Float32Array(featureDimension(features)), 0) },
    };
    expect(() => createDifficultyScorer({ weights, output: 'help-probability' })).toThrowError(
      /output: 'help-probability' needs weights with a "help" head, these have positive/,
    );
    expect(() => createDifficultyScorer({ output: 'probability' as never })).toThrowError(
      /output: expected 'score' or 'help-probability'/,
    );
  });

  it('names an unknown setting (a typo) with the ones there are, instead of scoring with the defaults', () => {
    expect(invalidConfigProblems(() => createDifficultyScorer({ modle: 1 } as never))).toEqual([
      { path: 'modle', message: 'unknown setting; expected one of weights, output' },
    ]);
    expect(invalidConfigProblems(() => createDifficultyScorer({ Output: 'score' } as never))).toEqual([
      { path: 'Output', message: 'unknown setting; did you mean "output"?' },
    ]);
    expect(invalidConfigProblems(() => createDifficultyScorer(null as never))[0]?.path).toBe('settings');
    const problems = invalidConfigProblems(() => createDifficultyScorer({ output: 'sk-secret' as never }));
    expect(problems).toEqual([{ path: 'output', message: "expected 'score' or 'help-probability'" }]);
    expect(JSON.stringify(problems)).not.toContain('sk-secret');
    expect(createDifficultyScorer({ output: 'score' })('What is 2 + 2?')).toBe(
      createDifficultyScorer()('What is 2 + 2?'),
    );
  });

  it('rejects weights whose length does not match the feature settings', () => {
    const features = { hashBits: 8, wordBigrams: false, charNgram: 0 };
    const head = encodeHead(new Float32Array(10), 0);
    expect(() =>
      createDifficultyScorer({
        weights: { format: 'switchyard-difficulty/1', features, score: 'probability', heads: { positive: head } },
      }),
    ).toThrowError(/weights\.heads\.positive\.weights: has 10 weights but the feature settings need 272/);
  });
});
