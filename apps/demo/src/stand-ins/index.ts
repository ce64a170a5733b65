/**
 * `@switchyard/demo/stand-ins`: the demo's two generated stand-ins, shared with the other sample apps so every app
 * runs with no configuration the same way: the on-device model (the generated tiny GGUF, for llama.cpp in process)
 * and the "GPU endpoint" (the project's gateway serving a larger generated model over loopback HTTP, behind a
 * simulated network delay and a fault switch) with the target that calls it; and the `SWITCHYARD_LOCAL_MODEL` /
 * `SWITCHYARD_REMOTE_*` reading that swaps real ones in for them.
 */
export { ensureLocalStandInModel, ensureRemoteStandInModel, standInContextLength } from '../demo-models.js';
export type { LocalTargetFromEnv } from '../local-target-from-env.js';
export { createLocalTargetFromEnv } from '../local-target-from-env.js';
export type { RemoteStandIn, RemoteStandInOptions } from '../remote-stand-in.js';
export { startRemoteStandIn } from '../remote-stand-in.js';
export { createRemoteStandInTarget } from '../remote-stand-in-target.js';
export type { RemoteTargetFromEnv } from '../remote-target-from-env.js';
export { createRemoteTargetFromEnv } from '../remote-target-from-env.js';
