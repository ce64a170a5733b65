/**
 * `@switchyard/demo/stand-ins`: the demo's two generated stand-ins, shared with the other sample apps so every app
 * runs with no configuration the same way: the on-device model (the generated tiny GGUF, for llama.cpp in process)
 * and the "GPU endpoint" (the project's gateway serving a larger generated model over loopback HTTP, behind a
 * simulated network delay and a fault switch) with the target that calls it; and the `SWITCHYARD_REMOTE_*` reading
 * that swaps a real endpoint in for it.
 */
export { ensureLocalStandInModel, ensureRemoteStandInModel, standInContextLength } from '../demo-models.js';
export type { RemoteStandIn, RemoteStandInOptions } from '../remote-stand-in.js';
export { startRemoteStandIn } from '../remote-stand-in.js';
export { createRemoteStandInTarget } from '../remote-stand-in-target.js';
export type { RemoteTargetFromEnv } from '../remote-target-from-env.js';
export { createRemoteTargetFromEnv } from '../remote-target-from-env.js';
