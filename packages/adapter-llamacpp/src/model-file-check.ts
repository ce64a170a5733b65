import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The outcome of a cheap, synchronous look at a model file. */
export type ModelFileCheck =
  | { ok: true; size: number; mtimeMs: number }
  | { ok: false; reason: string; size?: number; mtimeMs?: number };

/**
 * Checks that `path` exists and starts with the GGUF magic. Synchronous on purpose: it runs once at construction
 * and in `checkStatus()`, reads 4 bytes, and lets `status()` stay free of I/O.
 */
export function checkModelFile(path: string): ModelFileCheck {
  let size: number;
  let mtimeMs: number;
  try {
    const info = statSync(path);
    if (!info.isFile())
      return { ok: false, reason: `model path ${path} is not a file; point modelPath at a .gguf file` };
    size = info.size;
    mtimeMs = info.mtimeMs;
  } catch {
    return {
      ok: false,
      reason: `model file not found at ${path}; download a GGUF model there, fix modelPath, or set modelUri to download it`,
    };
  }
  const magic = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, magic, 0, 4, 0);
  } catch (error) {
    return { ok: false, reason: `cannot read model file ${path}: ${(error as Error).message}`, size, mtimeMs };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (magic.toString('latin1') !== 'GGUF') {
    return {
      ok: false,
      reason: `model file ${path} is not a GGUF file (it does not start with "GGUF"); it may be corrupt or a different format: download it again`,
      size,
      mtimeMs,
    };
  }
  return { ok: true, size, mtimeMs };
}
