import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { TargetUnavailableError } from '@switchyard/contract';
import { encodeTinyModel, ensureTinyModel, eventually } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppTarget } from '../src/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-llamacpp-status-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const call = { messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 4 };

describe('status of a llama.cpp target', () => {
  it('is unavailable with the path and the fix when the model file is missing', async () => {
    const path = join(dir, 'missing.gguf');
    const target = createLlamaCppTarget({ modelPath: path, threads: 1, gpu: false });
    const status = target.status();
    expect(status.state).toBe('unavailable');
    expect(status.state === 'unavailable' && status.reason).toContain(path);
    expect(status.state === 'unavailable' && status.reason).toMatch(/modelPath|modelUri/);
    const error = await target.generate(call).catch((caught: unknown) => caught);
    expect(TargetUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(path);
    await target.dispose();
  });

  it('becomes ready in checkStatus() once the missing file appears', async () => {
    const path = join(dir, 'appears.gguf');
    const target = createLlamaCppTarget({ modelPath: path, threads: 1, gpu: false });
    expect(target.status().state).toBe('unavailable');
    await writeFile(path, encodeTinyModel());
    expect(await target.checkStatus()).toEqual({ state: 'ready' });
    await target.dispose();
  });

  it('becomes ready through status() alone once the missing file appears (the router never probes local targets)', async () => {
    const path = join(dir, 'appears-later.gguf');
    const target = createLlamaCppTarget({ modelPath: path, threads: 1, gpu: false, statusRefreshMs: 0 });
    expect(target.status().state).toBe('unavailable');
    await writeFile(path, encodeTinyModel());
    expect(await eventually(() => target.status().state === 'ready')).toBe(true);
    await target.dispose();
  });

  it('is unavailable at once for a file that is not GGUF', async () => {
    const path = join(dir, 'not-gguf.gguf');
    await writeFile(path, '<html>404 Not Found</html>');
    const target = createLlamaCppTarget({ modelPath: path, threads: 1, gpu: false });
    const status = target.status();
    expect(status.state === 'unavailable' && status.reason).toMatch(/not a GGUF file.*download it again/);
    await expect(target.generate(call)).rejects.toSatisfy(TargetUnavailableError.isInstance);
    await target.dispose();
  });

  it('reports a truncated GGUF file as unavailable after the failed load, with the reason', async () => {
    const path = join(dir, 'truncated.gguf');
    const bytes = encodeTinyModel();
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const target = createLlamaCppTarget({ modelPath: path, threads: 1, gpu: false });
    expect(target.status()).toEqual({ state: 'ready' });
    const error = await target.load().catch((caught: unknown) => caught);
    expect(TargetUnavailableError.isInstance(error)).toBe(true);
    const status = target.status();
    expect(status.state).toBe('unavailable');
    expect(status.state === 'unavailable' && status.reason).toContain(path);
    expect(status.state === 'unavailable' && status.reason).toMatch(/corrupt|truncated/);
    // The failure is remembered: calls fail fast without another load attempt, and checkStatus keeps it.
    await expect(target.generate(call)).rejects.toSatisfy(TargetUnavailableError.isInstance);
    expect((await target.checkStatus()).state).toBe('unavailable');
    // Replacing the file clears it.
    await writeFile(path, bytes);
    expect(await target.checkStatus()).toEqual({ state: 'ready' });
    await target.dispose();
  });

  it('reports loading while the model loads, then ready, then unavailable after dispose', async () => {
    const target = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      threads: 1,
      gpu: false,
      contextSize: 256,
    });
    const loading = target.load();
    expect(target.status()).toEqual({ state: 'loading' });
    await loading;
    expect(target.status()).toEqual({ state: 'ready' });
    await target.dispose();
    expect(target.status().state).toBe('unavailable');
    await expect(target.generate(call)).rejects.toSatisfy(TargetUnavailableError.isInstance);
  });

  it('starts loading at construction with preload', async () => {
    const target = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      threads: 1,
      gpu: false,
      contextSize: 256,
      preload: true,
    });
    expect(target.status()).toEqual({ state: 'loading' });
    await target.load();
    expect(target.status()).toEqual({ state: 'ready' });
    await target.dispose();
  });

  it('reports a context too large for memory as unavailable with a memory hint', async () => {
    const target = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      threads: 1,
      gpu: false,
      // A KV cache as large as all of this machine's RAM (the tiny model needs 512 bytes per token: 2 layers × K and
      // V × 64 values × f16), so node-llama-cpp's memory estimate refuses it before allocating anything on any
      // machine. No larger: the estimate takes time in proportion to the context size.
      contextSize: Math.ceil(totalmem() / 512),
    });
    await expect(target.load()).rejects.toSatisfy(TargetUnavailableError.isInstance);
    const status = target.status();
    expect(status.state === 'unavailable' && status.reason).toMatch(/memory/);
    await target.dispose();
  });

  it('rejects callers beyond maxQueue as retryable and fails in-flight calls when disposed', async () => {
    const target = createLlamaCppTarget({
      modelPath: await ensureTinyModel(),
      threads: 1,
      gpu: false,
      contextSize: 512,
      maxQueue: 1,
    });
    await target.load();
    const long = { messages: [{ role: 'user' as const, content: 'Count to ten' }], maxTokens: 400, temperature: 0 };
    const stream = target.stream(long)[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'text-delta' });
    // The stream holds the only sequence now: one caller may wait, the next is turned away.
    const queued = target.generate(long).catch((error: unknown) => error);
    const rejected = await target.generate(long).catch((error: unknown) => error);
    expect(TargetUnavailableError.isInstance(rejected) && rejected.isRetryable).toBe(true);
    expect((rejected as Error).message).toMatch(/maxQueue 1/);
    const disposed = target.dispose();
    const streamOutcome = await (async () => {
      while (!(await stream.next()).done) {}
    })().catch((error: unknown) => error);
    await disposed;
    for (const outcome of [streamOutcome, await queued]) {
      expect(TargetUnavailableError.isInstance(outcome)).toBe(true);
      expect((outcome as Error).message).toMatch(/disposed/);
    }
  });

  it('rejects settings without a model with an error naming the field', () => {
    expect(() => createLlamaCppTarget({})).toThrow(/modelPath/);
    expect(() => createLlamaCppTarget({ modelPath: 'x.gguf', threads: 0 })).toThrow(/threads/);
    expect(() => createLlamaCppTarget({ modelPath: 'x.gguf', statusRefreshMs: -1 })).toThrow(/statusRefreshMs/);
  });
});
