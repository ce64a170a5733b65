import { createDifficultyScorer } from '../create-difficulty-scorer.js';
import type { ScoreEvaluation } from '../evaluate-scores.js';
import { evaluateScores } from '../evaluate-scores.js';
import type { SparseVector } from '../extract-features.js';
import type { RoutingRecord } from '../routing-record.js';
import { assignFolds } from './assign-folds.js';
import type { DifficultyTrainingConfig } from './train-difficulty-weights.js';
import { extractAll, trainDifficultyWeights } from './train-difficulty-weights.js';

/** Cross-validated figures for one candidate. */
export interface CrossValidationResult {
  config: DifficultyTrainingConfig;
  /** The evaluation of each held-out fold, scored by a model that never saw it. */
  folds: ScoreEvaluation[];
  /** Mean and standard deviation over folds of `savingsVsRandom` and `strongShareAt95`. */
  meanSavingsVsRandom: number;
  sdSavingsVsRandom: number;
  meanStrongShareAt95: number;
  /** All held-out scores pooled into one evaluation (each score from the model that did not see its prompt). */
  pooled: ScoreEvaluation;
}

/** Inputs for {@link crossValidate}. */
export interface CrossValidateOptions {
  records: readonly RoutingRecord[];
  config: DifficultyTrainingConfig;
  /** Fold of each record, e.g. from {@link foldsForRecords}. */
  foldOf: Int32Array;
  seed: number;
  /** Only evaluate these folds (default: all). */
  onlyFolds?: readonly number[];
  vectors?: readonly SparseVector[];
}

/** Stratified (by subject, else benchmark) folds that keep duplicate prompt texts together. */
export function foldsForRecords(records: readonly RoutingRecord[], folds: number, seed: number): Int32Array {
  return assignFolds(
    records.map((record) => ({ stratum: record.subject ?? record.benchmark, group: record.prompt })),
    folds,
    seed,
  );
}

/**
 * Trains on all folds but one and scores the held-out fold with the real scorer (quantised weights and all), for
 * each fold in turn.
 * @example
 * import { crossValidate, defaultTrainingConfig, foldsForRecords } from '@switchyard/quality/training';
 *
 * const foldOf = foldsForRecords(records, 5, 1);
 * const result = crossValidate({ records, config: defaultTrainingConfig, foldOf, seed: 1 });
 * console.log(result.meanSavingsVsRandom, result.pooled.strongShareAt95);
 */
export function crossValidate(options: CrossValidateOptions): CrossValidationResult {
  const { records, config, foldOf, seed } = options;
  const vectors =
    options.vectors ??
    extractAll(
      records.map((record) => record.prompt),
      config.features,
    );
  const foldCount = Math.max(...foldOf) + 1;
  const wanted = options.onlyFolds ?? Array.from({ length: foldCount }, (_, fold) => fold);
  const folds: ScoreEvaluation[] = [];
  const pooledRecords: RoutingRecord[] = [];
  const pooledScores: number[] = [];
  for (const fold of wanted) {
    const train: number[] = [];
    const test: number[] = [];
    for (const [index, value] of foldOf.entries()) (value === fold ? test : train).push(index);
    const weights = trainDifficultyWeights({
      records: train.map((index) => records[index]!),
      vectors: train.map((index) => vectors[index]!),
      config,
      seed,
    });
    const scorer = createDifficultyScorer({ weights });
    const testRecords = test.map((index) => records[index]!);
    const scores = testRecords.map((record) => scorer(record.prompt));
    folds.push(evaluateScores({ outcomes: testRecords, scores }));
    pooledRecords.push(...testRecords);
    pooledScores.push(...scores);
  }
  const savings = folds.map((fold) => fold.savingsVsRandom);
  const mean = savings.reduce((sum, value) => sum + value, 0) / savings.length;
  const variance = savings.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, savings.length - 1);
  return {
    config,
    folds,
    meanSavingsVsRandom: mean,
    sdSavingsVsRandom: Math.sqrt(variance),
    meanStrongShareAt95: folds.reduce((sum, fold) => sum + fold.strongShareAt95, 0) / folds.length,
    pooled: evaluateScores({ outcomes: pooledRecords, scores: pooledScores }),
  };
}
