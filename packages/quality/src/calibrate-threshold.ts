import { InvalidConfigError } from '@switchyard/contract';

/**
 * Picks the difficulty threshold that sends about `remoteShare` of prompts to the remote (stronger) target, given
 * scores from a representative sample of your traffic. The routing rule it assumes is the core's: a prompt goes
 * remote when `score >= threshold`. The threshold sits halfway between the last score sent remote and the first kept
 * local, so small score jitter does not flip the share; `remoteShare = 0` gives 1 (nothing scores above 1) and
 * `remoteShare = 1` gives 0.
 * @example
 * const scores = sampleOfPrompts.map(scoreDifficulty);
 * const threshold = calibrateThreshold(scores, 0.3); // send ~30 % remote
 * createRouter({ targets, policy: { quality: { threshold } }, difficulty: scoreDifficulty });
 */
export function calibrateThreshold(scores: readonly number[], remoteShare: number): number {
  if (!Number.isFinite(remoteShare) || remoteShare < 0 || remoteShare > 1) {
    throw new InvalidConfigError({
      problems: [{ path: 'remoteShare', message: `must be a fraction between 0 and 1, got ${remoteShare}` }],
    });
  }
  if (scores.length === 0) {
    throw new InvalidConfigError({
      problems: [{ path: 'scores', message: 'needs at least one score; score a sample of your prompts first' }],
    });
  }
  const bad = scores.findIndex((score) => !Number.isFinite(score) || score < 0 || score > 1);
  if (bad >= 0) {
    throw new InvalidConfigError({
      problems: [{ path: `scores[${bad}]`, message: `must be a number between 0 and 1, got ${scores[bad]}` }],
    });
  }
  const sorted = [...scores].sort((a, b) => b - a);
  const remote = Math.round(remoteShare * sorted.length);
  if (remote === 0) return 1;
  if (remote >= sorted.length) return 0;
  return (sorted[remote - 1]! + sorted[remote]!) / 2;
}
