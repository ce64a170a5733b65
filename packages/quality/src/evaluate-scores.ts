import { InvalidConfigError } from '@switchyard/contract';

/** Whether each model answered one prompt correctly. */
export interface RoutingOutcome {
  weakCorrect: boolean;
  strongCorrect: boolean;
}

/** One point of the cost–quality curve. Accuracies are fractions of all prompts. */
export interface CurvePoint {
  /** Fraction of prompts sent to the strong model. */
  strongShare: number;
  /** The router's threshold at this share: prompts scoring at or above it go strong. */
  threshold: number;
  /** The router's accuracy at this share. */
  accuracy: number;
  /** A random router's expected accuracy at the same share. */
  randomAccuracy: number;
  /** A perfect oracle's accuracy at the same share. */
  oracleAccuracy: number;
}

/** The cost–quality figures for one set of scores; see {@link evaluateScores} for the definitions. */
export interface ScoreEvaluation {
  count: number;
  weakAccuracy: number;
  strongAccuracy: number;
  /** 0.95 × strong-only accuracy. */
  targetAccuracy: number;
  /** Smallest strong-call fraction at which the router reaches the target. */
  strongShareAt95: number;
  /** The same for a router that sends each prompt strong with a fixed probability (analytic). */
  randomShareAt95: number;
  /** The same for a perfect oracle (analytic). */
  oracleShareAt95: number;
  /** `1 − strongShareAt95 / randomShareAt95`: the fraction of strong calls saved against random routing. */
  savingsVsRandom: number;
  curve: CurvePoint[];
}

/** Options for {@link evaluateScores}. */
export interface EvaluateScoresOptions {
  outcomes: readonly RoutingOutcome[];
  /** One score per outcome; higher means "send to the strong model first". */
  scores: ArrayLike<number>;
  /** Number of evenly spaced shares in the returned curve (default 101: 0 %, 1 %, … 100 %). */
  curvePoints?: number;
}

const targetFraction = 0.95;

/**
 * Sweeps the routing threshold over `scores` and measures cost against quality.
 *
 * A router that sends the fraction `s` of prompts with the highest scores to the strong model has accuracy(s) = mean
 * over prompts of (strong correct if routed strong, else weak correct). Prompts with equal scores are split at random,
 * so between two distinct scores accuracy is interpolated linearly. The target is 95 % of strong-only accuracy
 * (0.95 · S); `strongShareAt95` is the smallest `s` reaching it. Baselines use the same target: a random router reaches
 * W + p·(S − W), so it needs p = (0.95·S − W)/(S − W); a perfect oracle sends only prompts the weak model gets wrong
 * and the strong one gets right, so it needs 0.95·S − W (both clipped to [0, 1]).
 * @example
 * const result = evaluateScores({ outcomes, scores });
 * console.log(result.strongShareAt95, result.savingsVsRandom);
 */
export function evaluateScores(options: EvaluateScoresOptions): ScoreEvaluation {
  const { outcomes, scores } = options;
  const n = outcomes.length;
  if (n === 0) {
    throw new InvalidConfigError({ problems: [{ path: 'records', message: 'needs at least one record to evaluate' }] });
  }
  if (scores.length !== n) {
    throw new InvalidConfigError({
      problems: [{ path: 'scores', message: `has ${scores.length} entries but there are ${n} records` }],
    });
  }
  let weakCount = 0;
  let strongCount = 0;
  let helpCount = 0;
  let hurtCount = 0;
  for (const outcome of outcomes) {
    if (outcome.weakCorrect) weakCount += 1;
    if (outcome.strongCorrect) strongCount += 1;
    if (outcome.strongCorrect && !outcome.weakCorrect) helpCount += 1;
    if (outcome.weakCorrect && !outcome.strongCorrect) hurtCount += 1;
  }
  const weakAccuracy = weakCount / n;
  const strongAccuracy = strongCount / n;
  const targetCount = targetFraction * strongCount;
  const targetAccuracy = targetCount / n;
  const helpShare = helpCount / n;
  const hurtShare = hurtCount / n;

  // Boundaries between groups of equal score: (share, correct count, threshold).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const shares = [0];
  const corrects = [weakCount];
  // At share 0 nothing goes strong: the threshold sits at the top of the score range.
  const thresholds = [1];
  let correct = weakCount;
  for (let k = 0; k < n; ) {
    const score = scores[order[k]!]!;
    while (k < n && scores[order[k]!]! === score) {
      const outcome = outcomes[order[k]!]!;
      correct += Number(outcome.strongCorrect) - Number(outcome.weakCorrect);
      k += 1;
    }
    shares.push(k / n);
    corrects.push(correct);
    thresholds.push(score);
  }

  let strongShareAt95 = 1;
  if (weakCount >= targetCount) strongShareAt95 = 0;
  else {
    for (let j = 1; j < shares.length; j++) {
      if (corrects[j]! >= targetCount) {
        const fraction = (targetCount - corrects[j - 1]!) / (corrects[j]! - corrects[j - 1]!);
        strongShareAt95 = shares[j - 1]! + fraction * (shares[j]! - shares[j - 1]!);
        break;
      }
    }
  }

  const randomShareAt95 =
    weakAccuracy >= targetAccuracy ? 0 : clamp01((targetAccuracy - weakAccuracy) / (strongAccuracy - weakAccuracy));
  const oracleShareAt95 = clamp01(targetAccuracy - weakAccuracy);
  const savingsVsRandom = randomShareAt95 > 0 ? 1 - strongShareAt95 / randomShareAt95 : 0;

  const points = options.curvePoints ?? 101;
  const curve: CurvePoint[] = [];
  let segment = 1;
  for (let p = 0; p < points; p++) {
    const share = points === 1 ? 1 : p / (points - 1);
    while (segment < shares.length - 1 && shares[segment]! < share) segment += 1;
    const start = shares[segment - 1]!;
    const end = shares[segment]!;
    const fraction = end > start ? (share - start) / (end - start) : 1;
    const count = corrects[segment - 1]! + fraction * (corrects[segment]! - corrects[segment - 1]!);
    curve.push({
      strongShare: share,
      threshold: share === 0 ? thresholds[0]! : thresholds[segment]!,
      accuracy: count / n,
      randomAccuracy: weakAccuracy + share * (strongAccuracy - weakAccuracy),
      oracleAccuracy: weakAccuracy + Math.min(share, helpShare) - Math.max(0, share - (1 - hurtShare)),
    });
  }

  return {
    count: n,
    weakAccuracy,
    strongAccuracy,
    targetAccuracy,
    strongShareAt95,
    randomShareAt95,
    oracleShareAt95,
    savingsVsRandom,
    curve,
  };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
