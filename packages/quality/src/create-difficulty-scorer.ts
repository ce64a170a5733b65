import { InvalidConfigError, unknownSettingProblems, zodIssuesToProblems } from '@switchyard/contract';
import type { DifficultyWeights } from './difficulty-weights.js';
import { decodeHead, difficultyWeightsSchema } from './difficulty-weights.js';
import { createFeatureExtractor, featureDimension } from './extract-features.js';
import shippedWeights from './weights.json' with { type: 'json' };

/** Scores a prompt: 0 = the local model will do, 1 = send it to the strong model. */
export type DifficultyScorer = (prompt: string) => number;

/** Settings for {@link createDifficultyScorer}. */
export interface DifficultyScorerSettings {
  /** A weights file made by `scripts/train.mjs` (parsed JSON); defaults to the weights shipped in this package. */
  weights?: DifficultyWeights;
  /**
   * What the scorer returns (default `'score'`):
   * - `'score'`: the routing score — with the shipped weights (1 + P(help) − P(hurt)) / 2, which ranks prompts best.
   * - `'help-probability'`: P(help) alone, the estimated probability that the local (weak) model fails where the
   *   remote (strong) one would not. Needs weights with a `help` head (the shipped ones have it). Use it where you
   *   need that probability itself; for routing, `'score'` ranks prompts better (README, "What the score means").
   */
  output?: 'score' | 'help-probability';
}

/**
 * Creates a difficulty scorer: `score(prompt) → [0, 1]`, runs on the device in microseconds with no network.
 *
 * With the shipped weights the score is (1 + P(help) − P(hurt)) / 2, where P(help) is the estimated probability that
 * the local (weak) model answers wrongly and the remote (strong) one rightly, and P(hurt) the reverse: it ranks
 * prompts by the expected accuracy gain of going remote. 0.5 means "no expected gain". Pick a threshold with
 * `calibrateThreshold` rather than by hand. Settings are checked at once: an unknown one (a typo), weights that do not
 * parse or do not fit their feature settings, and an `output` other than the two are an `InvalidConfigError` naming it.
 * @example
 * import { createRouter } from '@switchyard/core';
 * import { createDifficultyScorer } from '@switchyard/quality';
 *
 * const router = createRouter({ targets, policy, difficulty: createDifficultyScorer() });
 */
export function createDifficultyScorer(settings: DifficultyScorerSettings = {}): DifficultyScorer {
  // A misspelt `modle` or `ouput` would otherwise leave the shipped weights or the default output without a word.
  const unknown =
    typeof settings === 'object' && settings !== null
      ? unknownSettingProblems(settings as Record<string, unknown>, { '': ['weights', 'output'] })
      : [{ path: 'settings', message: "expected an object or nothing, e.g. { output: 'score' }" }];
  if (unknown.length > 0) throw new InvalidConfigError({ problems: unknown });
  const parsed = difficultyWeightsSchema.safeParse(settings.weights ?? shippedWeights);
  if (!parsed.success) {
    throw new InvalidConfigError({ problems: zodIssuesToProblems(parsed.error.issues, 'weights') });
  }
  const weights = parsed.data as DifficultyWeights;
  const extractor = createFeatureExtractor(weights.features);
  const dimension = featureDimension(weights.features);
  const heads: Record<string, { weights: Float32Array; bias: number }> = {};
  for (const [name, head] of Object.entries(weights.heads)) {
    const decoded = decodeHead(head);
    if (decoded.length !== dimension) {
      throw new InvalidConfigError({
        problems: [
          {
            path: `weights.heads.${name}.weights`,
            message: `has ${decoded.length} weights but the feature settings need ${dimension}; retrain with scripts/train.mjs`,
          },
        ],
      });
    }
    heads[name] = { weights: decoded, bias: head.bias };
  }

  if (settings.output === 'help-probability') {
    const help = heads.help;
    if (!help) {
      throw new InvalidConfigError({
        problems: [
          {
            path: 'output',
            message: `'help-probability' needs weights with a "help" head, these have ${Object.keys(heads).join(', ')}; use output 'score'`,
          },
        ],
      });
    }
    return (prompt) => {
      const vector = extractor.extract(prompt);
      let logit = help.bias;
      for (let k = 0; k < vector.length; k++) logit += help.weights[vector.indices[k]!]! * vector.values[k]!;
      return clamp01(logistic(logit));
    };
  }
  if (settings.output !== undefined && settings.output !== 'score') {
    throw new InvalidConfigError({
      // The value is not shown: a string in the wrong place could be a secret.
      problems: [{ path: 'output', message: "expected 'score' or 'help-probability'" }],
    });
  }
  if (weights.score === 'gain') {
    const help = heads.help!;
    const hurt = heads.hurt!;
    return (prompt) => {
      const vector = extractor.extract(prompt);
      let helpLogit = help.bias;
      let hurtLogit = hurt.bias;
      for (let k = 0; k < vector.length; k++) {
        const index = vector.indices[k]!;
        const value = vector.values[k]!;
        helpLogit += help.weights[index]! * value;
        hurtLogit += hurt.weights[index]! * value;
      }
      return clamp01((1 + logistic(helpLogit) - logistic(hurtLogit)) / 2);
    };
  }
  const positive = heads.positive!;
  return (prompt) => {
    const vector = extractor.extract(prompt);
    let logit = positive.bias;
    for (let k = 0; k < vector.length; k++) logit += positive.weights[vector.indices[k]!]! * vector.values[k]!;
    return clamp01(logistic(logit));
  };
}

function logistic(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
