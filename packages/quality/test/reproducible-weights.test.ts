// The shipped weights are reproducible: retraining the documented configuration on train.jsonl with the documented
// seed gives the shipped weights byte for byte (what `scripts/train.mjs` writes after selecting that candidate).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DifficultyWeights } from '../src/difficulty-weights.js';
import { readRoutingRecords } from '../src/routing-record.js';
import { defaultTrainingConfig, defaultTrainingSeed, trainDifficultyWeights } from '../src/training/index.js';
import shippedWeights from '../src/weights.json' with { type: 'json' };

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataPath = join(repoRoot, '..', 'shared', 'data', 'routing-quality', 'train.jsonl');
const hasData = existsSync(dataPath);
const shipped = shippedWeights as unknown as DifficultyWeights & {
  training: { config: unknown; seed: number; records: number };
};

describe('the shipped difficulty weights', () => {
  it('record the default training configuration and seed', () => {
    expect(shipped.training.config).toEqual(defaultTrainingConfig);
    expect(shipped.training.seed).toBe(defaultTrainingSeed);
    expect(shipped.features).toEqual(defaultTrainingConfig.features);
  });

  it.skipIf(!hasData)(
    'are rebuilt byte for byte from train.jsonl with the default configuration and seed',
    async () => {
      const records = await readRoutingRecords(dataPath);
      expect(records).toHaveLength(shipped.training.records);
      const rebuilt = trainDifficultyWeights({ records, config: defaultTrainingConfig, seed: defaultTrainingSeed });
      expect(rebuilt.score).toBe(shipped.score);
      expect(rebuilt.heads).toEqual(shipped.heads);
    },
    120_000,
  );
});
