import { createDifficultyScorer, type DifficultyScorer } from '@switchyard/quality';

let shared: DifficultyScorer | undefined;

/**
 * The difficulty scorer a config asks for: a policy that writes a `quality` section (threshold, remote share) routes
 * by difficulty, so the gateway and `switchyard plan` give it `@switchyard/quality`'s on-device scorer with the shipped
 * weights. A policy without one gets none, and the router plans as before. One scorer per process: it is pure and
 * its weights are read once.
 */
export function difficultyForPolicy(policyInput: unknown): DifficultyScorer | undefined {
  const wantsQuality =
    typeof policyInput === 'object' &&
    policyInput !== null &&
    (policyInput as { quality?: unknown }).quality !== undefined;
  if (!wantsQuality) return undefined;
  shared ??= createDifficultyScorer();
  return shared;
}
