import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  AbortError,
  ApiCallError,
  InvalidConfigError,
  InvalidResponseError,
  toSwitchyardError,
} from '@switchyard/contract';
import { Agent, interceptors, request } from 'undici';
import type { DownloadProgress } from './llamacpp-settings.js';

/** Options of {@link downloadModel}. */
export interface DownloadModelOptions {
  /** `hf:<owner>/<repo>/<path/to/file>.gguf` (optionally `hf:<owner>/<repo>:<revision>/<file>`), or an http(s) URL. */
  uri: string;
  /** Directory to download into. Default: {@link defaultModelCacheDir}. */
  dir?: string;
  /** File name in `dir`. Default: the last segment of the URL. */
  fileName?: string;
  /** Expected SHA-256 (hex). A mismatch deletes the download and throws. */
  sha256?: string;
  /** Called as bytes arrive (throttled to about every 64 KiB, and always at the start and end). */
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Base URL of the Hugging Face hub for `hf:` URIs. Default `$HF_ENDPOINT`, else the public hub. */
  hfEndpoint?: string;
}

/** What {@link downloadModel} produced. */
export interface DownloadedModel {
  path: string;
  bytes: number;
  /** Whether the file was already complete in the cache (nothing was downloaded). */
  cached: boolean;
}

/** `$SWITCHYARD_CACHE_DIR/models`, else `$XDG_CACHE_HOME/switchyard/models`, else `~/.cache/switchyard/models`. */
export function defaultModelCacheDir(): string {
  if (process.env.SWITCHYARD_CACHE_DIR) return join(process.env.SWITCHYARD_CACHE_DIR, 'models');
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'switchyard', 'models');
}

/**
 * Turns a model URI into the URL to fetch. `hf:owner/repo/file.gguf` maps to the hub's `resolve/main` URL;
 * `hf:owner/repo:rev/file.gguf` picks a revision.
 */
export function resolveModelUrl(uri: string, hfEndpoint?: string): URL {
  if (uri.startsWith('hf:')) {
    const match = /^hf:([^/\s]+)\/([^/:\s]+)(?::([^/\s]+))?\/(\S+\.gguf)$/.exec(uri);
    if (!match) {
      throw new InvalidConfigError({
        problems: [{ path: 'modelUri', message: `expected hf:<owner>/<repo>/<file>.gguf, got "${uri}"` }],
      });
    }
    const [, owner, repo, revision, file] = match;
    const base = hfEndpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co';
    return new URL(`${owner}/${repo}/resolve/${revision ?? 'main'}/${file}`, base.endsWith('/') ? base : `${base}/`);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidConfigError({
      problems: [{ path: 'modelUri', message: `expected an hf:, https: or http: URI, got "${uri}"` }],
    });
  }
  return url;
}

/**
 * The cache file name for a model URI: the URL's last path segment, prefixed with owner and repository for `hf:`
 * URIs so equally named files from two repositories do not collide.
 */
export function modelFileName(uri: string, hfEndpoint?: string): string {
  const name = basename(decodeURIComponent(resolveModelUrl(uri, hfEndpoint).pathname));
  const hf = /^hf:([^/\s]+)\/([^/:\s]+)/.exec(uri);
  const full = hf ? `${hf[1]}--${hf[2]}--${name}` : name;
  return full.replace(/[^\w.-]/g, '_') || 'model.gguf';
}

/** The SHA-256 (hex) of a file, read as a stream. */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

let agent: Agent | undefined;
function dispatcher() {
  // Hubs answer with a redirect to a CDN; follow a few.
  agent ??= new Agent({ connections: 4 }).compose(interceptors.redirect({ maxRedirections: 5 })) as Agent;
  return agent;
}

/**
 * Downloads a model file into a cache directory and returns its path. Resumable: bytes go to `<file>.partial`, and a
 * later call continues from there with an HTTP `Range` request. The size is checked against the server's
 * `Content-Length` and, when given, the SHA-256 against `sha256`; only a verified file is renamed into place.
 * A file already complete in the cache is returned without any network access.
 *
 * @example
 * ```ts
 * const { path } = await downloadModel({
 *   uri: 'hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf',
 *   onProgress: ({ progress }) => console.log(`${Math.round(progress * 100)}%`),
 * });
 * ```
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadedModel> {
  const url = resolveModelUrl(options.uri, options.hfEndpoint);
  // Checked before any byte is fetched: a typo here would otherwise fail only after the whole download.
  if (options.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(options.sha256)) {
    throw new InvalidConfigError({
      problems: [{ path: 'sha256', message: 'expected 64 hexadecimal characters (the SHA-256 of the model file)' }],
    });
  }
  const dir = options.dir ?? defaultModelCacheDir();
  const path = join(dir, options.fileName ?? modelFileName(options.uri, options.hfEndpoint));
  const partial = `${path}.partial`;
  const signal = options.signal;
  const report = options.onProgress ?? (() => {});
  if (signal?.aborted) throw new AbortError({ cause: signal.reason });

  const existing = await sizeOf(path);
  if (existing !== undefined) {
    report({ receivedBytes: existing, totalBytes: existing, progress: 1 });
    return { path, bytes: existing, cached: true };
  }
  await mkdir(dir, { recursive: true });

  let offset = (await sizeOf(partial)) ?? 0;
  const headers: Record<string, string> = { 'user-agent': 'switchyard-adapter-llamacpp' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, { method: 'GET', headers, signal, dispatcher: dispatcher() });
  } catch (error) {
    throw toSwitchyardError(error, { url: url.href });
  }
  if (response.statusCode === 416 && offset > 0) {
    // The partial file is not a prefix the server recognises (it changed, or we already have it all): start over.
    await response.body.dump();
    await rm(partial, { force: true });
    return downloadModel(options);
  }
  if (response.statusCode !== 200 && response.statusCode !== 206) {
    const body = await response.body.text().catch(() => '');
    throw new ApiCallError({
      url: url.href,
      method: 'GET',
      status: response.statusCode,
      responseBody: body,
      detail: `downloading model ${options.uri}`,
    });
  }
  if (response.statusCode === 200) offset = 0;
  const length = Number(response.headers['content-length']);
  const range = /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''));
  const totalBytes = range ? Number(range[1]) : Number.isFinite(length) ? offset + length : undefined;

  let received = offset;
  let lastReported = -Infinity;
  const emit = (force = false) => {
    if (!force && received - lastReported < 64 * 1024) return;
    lastReported = received;
    report({ receivedBytes: received, totalBytes, progress: totalBytes ? Math.min(1, received / totalBytes) : 0 });
  };
  emit(true);
  try {
    await pipeline(
      response.body,
      async function* count(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          received += chunk.length;
          emit();
          yield chunk;
        }
      },
      createWriteStream(partial, { flags: offset > 0 ? 'a' : 'w' }),
      { signal },
    );
  } catch (error) {
    // Keep the partial file: the next call resumes from it.
    if (signal?.aborted) throw new AbortError({ cause: error });
    throw toSwitchyardError(error, { url: url.href });
  }
  emit(true);

  const size = (await sizeOf(partial)) ?? 0;
  if (totalBytes !== undefined && size !== totalBytes) {
    throw new InvalidResponseError({
      message: `Download of ${options.uri} ended at ${size} of ${totalBytes} bytes; call again to resume`,
    });
  }
  if (options.sha256) {
    const actual = await sha256Of(partial);
    if (actual !== options.sha256.toLowerCase()) {
      await rm(partial, { force: true });
      throw new InvalidResponseError({
        message: `Downloaded ${options.uri} has SHA-256 ${actual}, expected ${options.sha256}; the partial file was deleted, check the sha256 setting or the source`,
        isRetryable: false,
      });
    }
  }
  await rename(partial, path);
  return { path, bytes: size, cached: false };
}
