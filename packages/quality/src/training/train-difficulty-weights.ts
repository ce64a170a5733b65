import type { DifficultyHead, DifficultyWeights } from '../difficulty-weights.js';
import { encodeHead } from '../difficulty-weights.js';
import type { FeatureSettings, SparseVector } from '../extract-features.js';
import { createFeatureExtractor, featureDimension } from '../extract-features.js';
import type { RoutingRecord } from '../routing-record.js';
import { copySparseVector, trainLogistic } from './train-logistic.js';

/** One candidate model: what it predicts, how labels are smoothed, features and optimiser settings. */
export interface DifficultyTrainingConfig {
  name: string;
  /**
   * - `gain`: two heads, P(weak wrong and strong right) and P(weak right and strong wrong); score = (1 + help − hurt) / 2.
   * - `help`: one head, P(weak wrong and strong right) — the literal definition.
   * - `weak-fails`: one head, P(weak wrong).
   */
  target: 'gain' | 'help' | 'weak-fails';
  /**
   * Weight in [0, 1) of the record's subject (or benchmark) mean label, mixed into each record's own 0/1 label.
   * Per-prompt labels are noisy; the subject mean is a much steadier signal of how hard that kind of prompt is.
   * Means are computed on the training records only.
   */
  subjectSmoothing: number;
  features: FeatureSettings;
  epochs: number;
  learningRate: number;
  l2: number;
}

/**
 * The configuration of the shipped weights (selected by cross-validation in `scripts/train.mjs`): the `gain` target
 * with subject smoothing 0.7, 2^16 hashed word unigrams and bigrams, 6 epochs of AdaGrad at step 0.02, L2 1e-5.
 * Start from it to retrain the scorer on your own weak/strong labels.
 */
export const defaultTrainingConfig: Readonly<DifficultyTrainingConfig> = Object.freeze({
  name: 'gain+subject0.7',
  target: 'gain',
  subjectSmoothing: 0.7,
  features: Object.freeze({ hashBits: 16, wordBigrams: true, charNgram: 0 }),
  epochs: 6,
  learningRate: 0.02,
  l2: 1e-5,
});

/** The seed the shipped weights and their cross-validation folds were made with. */
export const defaultTrainingSeed = 20240810;

/** Inputs for {@link trainDifficultyWeights}. */
export interface TrainDifficultyWeightsOptions {
  records: readonly RoutingRecord[];
  config: DifficultyTrainingConfig;
  seed: number;
  /** Precomputed feature vectors for `records` (same order, same feature settings); computed when absent. */
  vectors?: readonly SparseVector[];
  /** Extra metadata stored under `training` in the weights file. */
  metadata?: Record<string, unknown>;
}

/** Extracts and keeps one feature vector per prompt. */
export function extractAll(prompts: readonly string[], features: FeatureSettings): SparseVector[] {
  const extractor = createFeatureExtractor(features);
  return prompts.map((prompt) => copySparseVector(extractor.extract(prompt)));
}

/**
 * Trains the difficulty model on labelled records and returns a weights file `createDifficultyScorer` accepts.
 * Deterministic for a given seed.
 * @example
 * import { readRoutingRecords, createDifficultyScorer } from '@switchyard/quality';
 * import { defaultTrainingConfig, defaultTrainingSeed, trainDifficultyWeights } from '@switchyard/quality/training';
 *
 * const records = await readRoutingRecords('my-labels.jsonl');
 * const weights = trainDifficultyWeights({ records, config: defaultTrainingConfig, seed: defaultTrainingSeed });
 * const scorer = createDifficultyScorer({ weights });
 */
export function trainDifficultyWeights(options: TrainDifficultyWeightsOptions): DifficultyWeights {
  const { records, config, seed } = options;
  const vectors =
    options.vectors ??
    extractAll(
      records.map((record) => record.prompt),
      config.features,
    );
  const dimension = featureDimension(config.features);
  const fit = (own: (record: RoutingRecord) => number, headSeed: number) => {
    const labels = smoothLabels(records, own, config.subjectSmoothing);
    const model = trainLogistic({
      examples: vectors,
      labels,
      dimension,
      epochs: config.epochs,
      learningRate: config.learningRate,
      l2: config.l2,
      seed: headSeed,
    });
    return encodeHead(model.weights, model.bias);
  };
  const help = (record: RoutingRecord) => Number(!record.weakCorrect && record.strongCorrect);
  const hurt = (record: RoutingRecord) => Number(record.weakCorrect && !record.strongCorrect);
  const weakFails = (record: RoutingRecord) => Number(!record.weakCorrect);
  const heads: Record<string, DifficultyHead> =
    config.target === 'gain'
      ? { help: fit(help, seed), hurt: fit(hurt, seed + 1) }
      : { positive: fit(config.target === 'help' ? help : weakFails, seed) };
  return {
    format: 'switchyard-difficulty/1',
    features: { ...config.features },
    score: config.target === 'gain' ? 'gain' : 'probability',
    heads,
    training: { config, seed, records: records.length, ...options.metadata },
  };
}

/** Mixes each record's own label with its subject's (or benchmark's) mean label. */
function smoothLabels(
  records: readonly RoutingRecord[],
  own: (record: RoutingRecord) => number,
  smoothing: number,
): Float64Array {
  const sums = new Map<string, { total: number; count: number }>();
  for (const record of records) {
    const key = record.subject ?? record.benchmark;
    const sum = sums.get(key) ?? { total: 0, count: 0 };
    sum.total += own(record);
    sum.count += 1;
    sums.set(key, sum);
  }
  return Float64Array.from(records, (record) => {
    const sum = sums.get(record.subject ?? record.benchmark)!;
    return (1 - smoothing) * own(record) + smoothing * (sum.total / sum.count);
  });
}
