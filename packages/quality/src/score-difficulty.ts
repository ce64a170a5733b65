import type { DifficultyScorer } from './create-difficulty-scorer.js';
import { createDifficultyScorer } from './create-difficulty-scorer.js';

let shared: DifficultyScorer | undefined;

/**
 * Scores a prompt with the shipped weights (created on first use, then reused). Not re-entrant across threads, like
 * everything in one JavaScript realm; use `createDifficultyScorer` for a scorer of your own.
 * @example
 * import { scoreDifficulty } from '@switchyard/quality';
 *
 * const router = createRouter({ targets, policy, difficulty: scoreDifficulty });
 * scoreDifficulty('What is the capital of France?'); // ≈ 0.5: no gain expected from the remote model
 */
export function scoreDifficulty(prompt: string): number {
  shared ??= createDifficultyScorer();
  return shared(prompt);
}
