import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeTinyModel,
  ensureTinyModel,
  generatedModelFileName,
  modelCacheDir,
  TINY_MODEL_PRESETS,
} from '@switchyard/testkit';

import { standInContextLength } from './demo-policy.js';

export { standInContextLength };

/** The generated on-device stand-in model (~0.5 MB), written into the cache on first run. */
export function ensureLocalStandInModel(dir?: string): Promise<string> {
  return ensureTinyModel(dir === undefined ? {} : { dir });
}

/**
 * The generated "GPU" model: the testkit's `large` preset (several times slower per token than the tiny one) with a
 * longer declared context, so a document that overflows the device's window still fits the remote. Written into
 * the cache on first run and rewritten only when the generator's bytes change.
 */
export async function ensureRemoteStandInModel(dir: string = modelCacheDir()): Promise<string> {
  const expected = encodeTinyModel({ ...TINY_MODEL_PRESETS.large, contextLength: standInContextLength });
  const path = join(dir, generatedModelFileName(`switchyard-large-${standInContextLength / 1024}k`, expected));
  const existing = await readFile(path).catch(() => undefined);
  if (!existing?.equals(expected)) {
    await mkdir(dir, { recursive: true });
    // Two demos starting at once each write their own file and rename it into place: readers never see half a model.
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, expected);
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return path;
}
