import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortError,
  ApiCallError,
  InvalidConfigError,
  InvalidResponseError,
  type TargetStatus,
  TargetUnavailableError,
} from '@switchyard/contract';
import { encodeTinyModel } from '@switchyard/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLlamaCppTarget,
  type DownloadProgress,
  downloadModel,
  modelFileName,
  resolveModelUrl,
} from '../src/index.js';

const model = encodeTinyModel();
const sha256 = createHash('sha256').update(model).digest('hex');

let server: Server;
let base: string;
let dir: string;
let requests: IncomingHttpHeaders[];
/** Bytes the server sends before cutting the connection, per request; undefined sends everything. */
let cutAfter: number | undefined;

beforeAll(async () => {
  // A static file server with Range support, like the hub's CDN; it sends in 64 KiB chunks so progress is visible.
  server = createServer((req, res) => {
    requests.push(req.headers);
    if (req.url === '/redirect/tiny.gguf') {
      res.writeHead(302, { location: '/models/tiny.gguf' }).end();
      return;
    }
    if (req.url !== '/models/tiny.gguf') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such model');
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= model.length) {
        res.writeHead(416, { 'content-range': `bytes */${model.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-length': model.length - start,
        'content-range': `bytes ${start}-${model.length - 1}/${model.length}`,
      });
    } else {
      res.writeHead(200, { 'content-length': model.length });
    }
    const end = cutAfter === undefined ? model.length : Math.min(model.length, start + cutAfter);
    for (let offset = start; offset < end; offset += 64 * 1024) {
      res.write(model.subarray(offset, Math.min(end, offset + 64 * 1024)));
    }
    // Cut the connection only once the bytes before the cut are flushed, like a network drop mid-file.
    if (end < model.length) res.write('', () => setTimeout(() => res.destroy(), 50));
    else res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-download-'));
  requests = [];
  cutAfter = undefined;
  return () => rm(dir, { recursive: true, force: true });
});

describe('downloadModel', () => {
  it('downloads into the directory with progress up to 1 and a verified checksum', async () => {
    const progress: DownloadProgress[] = [];
    const result = await downloadModel({
      uri: `${base}/models/tiny.gguf`,
      dir,
      sha256,
      onProgress: (event) => progress.push(event),
    });
    expect(result).toEqual({ path: join(dir, 'tiny.gguf'), bytes: model.length, cached: false });
    expect((await readFile(result.path)).equals(model)).toBe(true);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress[0]?.progress).toBe(0);
    expect(progress.at(-1)).toEqual({ receivedBytes: model.length, totalBytes: model.length, progress: 1 });
    expect(existsSync(`${result.path}.partial`)).toBe(false);
  });

  it('returns a cached file without any request', async () => {
    await downloadModel({ uri: `${base}/models/tiny.gguf`, dir });
    requests = [];
    const again = await downloadModel({ uri: `${base}/models/tiny.gguf`, dir });
    expect(again.cached).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it('resumes an interrupted download with a Range request', async () => {
    cutAfter = 200 * 1024;
    const uri = `${base}/models/tiny.gguf`;
    const first = await downloadModel({ uri, dir }).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(Error);
    expect(existsSync(join(dir, 'tiny.gguf'))).toBe(false);
    const partialSize = (await readFile(join(dir, 'tiny.gguf.partial'))).length;
    expect(partialSize).toBeGreaterThan(0);

    cutAfter = undefined;
    requests = [];
    const progress: DownloadProgress[] = [];
    const result = await downloadModel({ uri, dir, sha256, onProgress: (event) => progress.push(event) });
    expect(requests[0]?.range).toBe(`bytes=${partialSize}-`);
    expect(progress[0]?.receivedBytes).toBe(partialSize);
    expect((await readFile(result.path)).equals(model)).toBe(true);
  });

  it('deletes the download and fails when the checksum does not match', async () => {
    const error = await downloadModel({ uri: `${base}/models/tiny.gguf`, dir, sha256: '0'.repeat(64) }).catch(
      (caught: unknown) => caught,
    );
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/SHA-256/);
    expect(existsSync(join(dir, 'tiny.gguf'))).toBe(false);
    expect(existsSync(join(dir, 'tiny.gguf.partial'))).toBe(false);
  });

  it('rejects a malformed sha256 before downloading anything', async () => {
    const error = await downloadModel({ uri: `${base}/models/tiny.gguf`, dir, sha256: 'abc123' }).catch(
      (caught: unknown) => caught,
    );
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/sha256: expected 64 hexadecimal characters/);
    expect(requests).toHaveLength(0);
    expect(() => createLlamaCppTarget({ modelUri: `${base}/models/tiny.gguf`, cacheDir: dir, sha256: 'xyz' })).toThrow(
      /sha256/,
    );
  });

  it('follows redirects and reports HTTP errors with the status', async () => {
    const redirected = await downloadModel({ uri: `${base}/redirect/tiny.gguf`, dir });
    expect((await readFile(redirected.path)).equals(model)).toBe(true);
    const error = await downloadModel({ uri: `${base}/models/other.gguf`, dir }).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error) && error.status).toBe(404);
  });

  it('stops on abort and keeps the partial file for later', async () => {
    const controller = new AbortController();
    const error = await downloadModel({
      uri: `${base}/models/tiny.gguf`,
      dir,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.receivedBytes > 0) controller.abort();
      },
    }).catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(existsSync(join(dir, 'tiny.gguf'))).toBe(false);
  });

  it('maps hf: URIs to the hub resolve URL and rejects other schemes', () => {
    expect(resolveModelUrl('hf:owner/repo/model-q4.gguf', 'http://127.0.0.1:1').href).toBe(
      'http://127.0.0.1:1/owner/repo/resolve/main/model-q4.gguf',
    );
    expect(resolveModelUrl('hf:owner/repo:v2/sub/model.gguf', 'http://127.0.0.1:1/').href).toBe(
      'http://127.0.0.1:1/owner/repo/resolve/v2/sub/model.gguf',
    );
    expect(modelFileName('hf:owner/repo/sub/model-q4.gguf')).toBe('owner--repo--model-q4.gguf');
    expect(modelFileName('http://127.0.0.1:1/models/tiny%20model.gguf')).toBe('tiny_model.gguf');
    expect(() => resolveModelUrl('ftp://example/model.gguf')).toThrow(/modelUri/);
    expect(InvalidConfigError.isInstance(catchError(() => resolveModelUrl('hf:only-owner')))).toBe(true);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createLlamaCppTarget with modelUri', () => {
  it('is unavailable until loaded, reports downloading with progress, then loads and generates', async () => {
    const statuses: TargetStatus[] = [];
    const target = createLlamaCppTarget({
      modelUri: `${base}/models/tiny.gguf`,
      cacheDir: dir,
      sha256,
      threads: 1,
      gpu: false,
      contextSize: 256,
      onDownloadProgress: () => statuses.push(target.status()),
    });
    const before = target.status();
    expect(before.state === 'unavailable' && before.reason).toMatch(/not downloaded yet.*load\(\)/);
    await target.load();
    expect(statuses.length).toBeGreaterThan(1);
    expect(statuses.every((status) => status.state === 'downloading')).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ state: 'downloading', progress: 1, totalBytes: model.length });
    expect(target.status()).toEqual({ state: 'ready' });
    expect(target.id).toBe('llamacpp:tiny');
    const result = await target.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 });
    expect(result.text.length).toBeGreaterThan(0);
    await target.dispose();
  });

  it('is ready at once when the model is already in the cache', async () => {
    await writeFile(join(dir, 'tiny.gguf'), model);
    const target = createLlamaCppTarget({ modelUri: `${base}/models/tiny.gguf`, cacheDir: dir, gpu: false });
    expect(target.status()).toEqual({ state: 'ready' });
    await target.dispose();
  });

  it('verifies a cached file against sha256 on its first load: another model in its place is refused', async () => {
    // A valid GGUF, but not the configured one: a stale cache entry or a file copied in by hand.
    const other = encodeTinyModel({ seed: 2 });
    await writeFile(join(dir, 'tiny.gguf'), other);
    requests = [];
    const target = createLlamaCppTarget({
      modelUri: `${base}/models/tiny.gguf`,
      cacheDir: dir,
      sha256,
      threads: 1,
      gpu: false,
      contextSize: 256,
    });
    const error = await target.load().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(TargetUnavailableError.isInstance(error)).toBe(true);
    const status = target.status();
    expect(status).toMatchObject({ state: 'unavailable', code: 'load-failed' });
    const actual = createHash('sha256').update(other).digest('hex');
    expect(status.state === 'unavailable' && status.reason).toContain(`has SHA-256 ${actual}, expected ${sha256}`);
    expect(status.state === 'unavailable' && status.reason).toMatch(/delete it to download it again/);
    // Nothing was fetched: the cached file was judged, not replaced behind the user's back.
    expect(requests).toHaveLength(0);
    await target.dispose();
  });

  it('verifies a modelPath against sha256: loads when it matches, unavailable when it does not', async () => {
    const path = join(dir, 'given.gguf');
    await writeFile(path, model);
    const good = createLlamaCppTarget({ modelPath: path, sha256, threads: 1, gpu: false, contextSize: 256 });
    await good.load();
    expect(good.status()).toEqual({ state: 'ready' });
    await good.dispose();
    const bad = createLlamaCppTarget({ modelPath: path, sha256: 'f'.repeat(64), threads: 1, gpu: false });
    await expect(bad.load()).rejects.toSatisfy(TargetUnavailableError.isInstance);
    expect(bad.status()).toMatchObject({ state: 'unavailable', code: 'load-failed' });
    await bad.dispose();
  });

  it('reports a failed download as unavailable with the reason, and retries on the next load', async () => {
    const target = createLlamaCppTarget({
      modelUri: `${base}/models/missing.gguf`,
      cacheDir: dir,
      threads: 1,
      gpu: false,
    });
    await expect(target.load()).rejects.toThrow(/404/);
    const status = target.status();
    expect(status.state === 'unavailable' && status.reason).toMatch(/download of .*missing\.gguf failed/);
    requests = [];
    await expect(target.load()).rejects.toThrow(/404/);
    expect(requests).toHaveLength(1);
    await target.dispose();
  });

  it('keeps the failed download’s reason while status() re-checks the cache, and turns ready once the file is there', async () => {
    const target = createLlamaCppTarget({
      modelUri: `${base}/models/tiny.gguf`,
      cacheDir: dir,
      gpu: false,
      statusRefreshMs: 0,
    });
    cutAfter = 100 * 1024;
    await expect(target.load()).rejects.toThrow();
    for (let index = 0; index < 3; index += 1) {
      const status = target.status();
      expect(status.state === 'unavailable' && status.reason).toMatch(/download of .*tiny\.gguf failed/);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Someone else (`switchyard models pull`) completes the download.
    await writeFile(join(dir, 'tiny.gguf'), model);
    for (let tries = 0; tries < 1000 && target.status().state !== 'ready'; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(target.status()).toEqual({ state: 'ready' });
    await target.dispose();
  });
});
