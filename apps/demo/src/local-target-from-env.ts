import { resolve } from 'node:path';
import { createLlamaCppTarget, defaultThreads, type LlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { ensureLocalStandInModel } from './demo-models.js';

/** Tokens per sequence of the generated on-device model: small, so the demo tour's long document overflows it. */
const localStandInContext = 2_048;

/** The sample apps' on-device target and where its model came from. */
export interface LocalTargetFromEnv {
  readonly target: LlamaCppTarget;
  /** The GGUF file it loads. */
  readonly modelPath: string;
  /** True when `SWITCHYARD_LOCAL_MODEL` named the file; false for the generated tiny model (the stand-in). */
  readonly fromEnv: boolean;
}

/**
 * llama.cpp in process on `SWITCHYARD_LOCAL_MODEL` (a GGUF file, with the adapter's machine-sized threads and GPU
 * offload when there is one), or, when it is unset, on the generated tiny model written into `cacheDir`: one thread
 * (it runs best so), no GPU, a 2,048-token window. The sample apps read it the same way.
 */
export async function createLocalTargetFromEnv(
  env: NodeJS.ProcessEnv,
  options: { cacheDir?: string } = {},
): Promise<LocalTargetFromEnv> {
  const localModel = env.SWITCHYARD_LOCAL_MODEL;
  if (localModel) {
    const modelPath = resolve(localModel);
    return {
      target: createLlamaCppTarget({ modelPath, threads: defaultThreads(), gpu: 'auto' }),
      modelPath,
      fromEnv: true,
    };
  }
  const modelPath = await ensureLocalStandInModel(options.cacheDir);
  return {
    target: createLlamaCppTarget({
      modelPath,
      id: 'llamacpp:switchyard-tiny',
      threads: 1,
      gpu: false,
      contextSize: localStandInContext,
    }),
    modelPath,
    fromEnv: false,
  };
}
