/**
 * `@switchyard/quality/training`: the pieces `scripts/train.mjs` uses to rebuild the shipped difficulty weights —
 * the feature extractor, a seeded logistic-regression trainer, stratified grouped folds and weight encoding. Exposed
 * so you can retrain the scorer on your own weak/strong labels; scoring itself needs only the main entry.
 */

export { decodeHead, encodeHead } from '../difficulty-weights.js';
export type { FeatureExtractor, FeatureSettings, SparseVector } from '../extract-features.js';
export { createFeatureExtractor, denseFeatureNames, featureDimension } from '../extract-features.js';
export type { FoldItem } from './assign-folds.js';
export { assignFolds } from './assign-folds.js';
export type { CrossValidateOptions, CrossValidationResult } from './cross-validate.js';
export { crossValidate, foldsForRecords } from './cross-validate.js';
export { createSeededRandom, shuffleInPlace } from './seeded-random.js';
export type { DifficultyTrainingConfig, TrainDifficultyWeightsOptions } from './train-difficulty-weights.js';
export {
  defaultTrainingConfig,
  defaultTrainingSeed,
  extractAll,
  trainDifficultyWeights,
} from './train-difficulty-weights.js';
export type { LogisticModel, TrainLogisticOptions } from './train-logistic.js';
export { copySparseVector, dot, sigmoid, trainLogistic } from './train-logistic.js';
