/**
 * `@switchyard/quality` estimates, on the device and in microseconds, how much a prompt would gain from the remote
 * (strong) model over the local (weak) one, so the router can keep easy prompts local and send hard ones remote.
 * It ships a small hashed-n-gram logistic model trained on RouteLLM's labelled GSM8K/MMLU data, a helper that turns a
 * target remote share into a threshold, and `evaluateRouter`, which measures any scorer's cost–quality trade-off
 * (the library behind `switchyard eval-router`). It imports nothing from `@switchyard/core`: pass the scorer in as
 * `createRouter({ difficulty: createDifficultyScorer() })`.
 */
export { calibrateThreshold } from './calibrate-threshold.js';
export type { DifficultyScorer, DifficultyScorerSettings } from './create-difficulty-scorer.js';
export { createDifficultyScorer } from './create-difficulty-scorer.js';
export type { DifficultyHead, DifficultyWeights } from './difficulty-weights.js';
export { difficultyWeightsSchema } from './difficulty-weights.js';
export type { EvaluateRouterOptions, EvaluationReport } from './evaluate-router.js';
export { evaluateRouter } from './evaluate-router.js';
export type { CurvePoint, EvaluateScoresOptions, RoutingOutcome, ScoreEvaluation } from './evaluate-scores.js';
export { evaluateScores } from './evaluate-scores.js';
export type { CurvePlotOptions } from './render-curve-svg.js';
export { renderCurveSvg } from './render-curve-svg.js';
export type { RoutingRecord } from './routing-record.js';
export { parseRoutingRecords, readRoutingRecords, routingRecordLineSchema } from './routing-record.js';
export { scoreDifficulty } from './score-difficulty.js';
