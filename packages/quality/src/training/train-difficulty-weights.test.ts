import { describe, expect, it } from 'vitest';
import { createDifficultyScorer } from '../create-difficulty-scorer.js';
import { evaluateScores } from '../evaluate-scores.js';
import type { RoutingRecord } from '../routing-record.js';
import { assignFolds } from './assign-folds.js';
import type { DifficultyTrainingConfig } from './train-difficulty-weights.js';
import { trainDifficultyWeights } from './train-difficulty-weights.js';

// A toy world: the weak model fails on "integral" questions, which the strong model answers; both get "capital" right.
const records: RoutingRecord[] = Array.from({ length: 200 }, (_, i) => {
  const hard = i % 4 === 0;
  return {
    id: `toy-${i}`,
    benchmark: 'toy',
    subject: hard ? 'calculus' : 'geography',
    prompt: hard ? `Compute the integral of x^${i} dx over [0, ${i}].` : `What is the capital of country number ${i}?`,
    weakCorrect: !hard,
    strongCorrect: true,
  };
});

const config: DifficultyTrainingConfig = {
  name: 'toy',
  target: 'gain',
  subjectSmoothing: 0.5,
  features: { hashBits: 10, wordBigrams: true, charNgram: 0 },
  epochs: 4,
  learningRate: 0.1,
  l2: 1e-5,
};

describe('trainDifficultyWeights', () => {
  it('is deterministic for a seed', () => {
    const first = trainDifficultyWeights({ records, config, seed: 3 });
    const second = trainDifficultyWeights({ records, config, seed: 3 });
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
  });

  it('learns to send the prompts the weak model fails first', () => {
    const scorer = createDifficultyScorer({ weights: trainDifficultyWeights({ records, config, seed: 3 }) });
    const result = evaluateScores({ outcomes: records, scores: records.map((record) => scorer(record.prompt)) });
    expect(result.strongShareAt95).toBeCloseTo(result.oracleShareAt95, 6);
  });
});

describe('assignFolds', () => {
  it('spreads each stratum evenly and keeps duplicate prompts in one fold', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ stratum: i < 25 ? 'a' : 'b', group: `p${i % 40}` }));
    const folds = assignFolds(items, 5, 1);
    for (let i = 40; i < 50; i++) expect(folds[i]).toBe(folds[i - 40]);
    const perFold = [0, 0, 0, 0, 0];
    for (const fold of folds) perFold[fold] = perFold[fold]! + 1;
    expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(2);
  });
});
