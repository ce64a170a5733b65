/**
 * `@switchyard/contract/testing`: the conformance suite every adapter's tests run against its `Target`.
 * Requires vitest (an optional peer dependency of `@switchyard/contract`).
 */
export type { TargetConformanceOptions } from './run-target-conformance.js';
export { runTargetConformance } from './run-target-conformance.js';
