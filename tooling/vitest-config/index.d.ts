// Types of index.js, so a package whose tsconfig includes its vitest.config.ts (tooling/bench) typechecks it.
import type { UserWorkspaceConfig } from 'vitest/config';

/** Options of {@link switchyardProject}. */
export interface SwitchyardProjectOptions {
  /** The project's name in vitest's output and for `--project`. */
  name: string;
  /** Per-test timeout in ms (default 20 000). */
  testTimeout?: number;
  /** Per-hook timeout in ms (default 120 000). */
  hookTimeout?: number;
  /** Whether the project's files run in parallel (default true). */
  fileParallelism?: boolean;
}

/** The vitest project config for one workspace package: workspace imports resolved to their TypeScript sources. */
export function switchyardProject(options: SwitchyardProjectOptions): UserWorkspaceConfig;
