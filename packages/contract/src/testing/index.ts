/**
 * `@switchyard/contract/testing`: the conformance suites every adapter runs against its `Target`, and every state store
 * (`StateStore`) against itself, and `invalidConfigProblems` for tests of settings checks.
 * Requires vitest (an optional peer dependency of `@switchyard/contract`).
 */

export type { HeldImport } from './hold-import.js';
export { holdImport } from './hold-import.js';
export { invalidConfigProblems } from './invalid-config-problems.js';
export type { StateStoreConformanceOptions } from './run-state-store-conformance.js';
export { runStateStoreConformance } from './run-state-store-conformance.js';
export type { TargetConformanceOptions } from './run-target-conformance.js';
export { runTargetConformance } from './run-target-conformance.js';
export type { TargetFaultConformanceOptions } from './run-target-fault-conformance.js';
export { runTargetFaultConformance } from './run-target-fault-conformance.js';
export type { FaultCheckId } from './target-fault-conformance-checks.js';
export { faultCheckIds } from './target-fault-conformance-checks.js';
export type { TargetFault, TargetFaultDriver } from './target-fault-driver.js';
