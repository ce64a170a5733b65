import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AbortError, InvalidConfigError } from '@switchyard/contract';
import type { CliIO } from '../cli-io.js';
import { CliError, exitCodes } from '../cli-io.js';

/** Options of `models pull`, as parsed from the command line. */
export interface ModelsPullOptions {
  uri: string;
  dir?: string;
  sha256?: string;
}

interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | undefined;
  progress: number;
}

interface AdapterDownload {
  downloadModel(options: {
    uri: string;
    dir?: string;
    sha256?: string;
    onProgress?: (progress: DownloadProgress) => void;
    signal?: AbortSignal;
  }): Promise<{ path: string; bytes: number; cached: boolean }>;
}

/** `1.5 MB`, `820 KB`: decimal units, as download tools show them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * One line of the progress bar: `[########------------]  40%  12.0 MB / 30.0 MB  4.1 MB/s  ETA 5s`.
 * `startBytes` are the bytes already on disk from an earlier, interrupted pull: they count towards the size but
 * not towards the speed.
 */
export function renderProgress(progress: DownloadProgress, elapsedMs: number, startBytes: number): string {
  const width = 24;
  const speed = elapsedMs > 0 ? ((progress.receivedBytes - startBytes) / elapsedMs) * 1000 : 0;
  if (progress.totalBytes === undefined) {
    return `${formatBytes(progress.receivedBytes)}  ${formatBytes(speed)}/s`;
  }
  const fraction = Math.min(1, progress.totalBytes === 0 ? 1 : progress.receivedBytes / progress.totalBytes);
  const filled = Math.round(fraction * width);
  const remaining = progress.totalBytes - progress.receivedBytes;
  const eta = speed > 0 ? remaining / speed : Number.POSITIVE_INFINITY;
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ` +
    `${formatBytes(progress.receivedBytes)} / ${formatBytes(progress.totalBytes)}  ${formatBytes(speed)}/s  ` +
    `ETA ${fraction >= 1 ? '0s' : formatDuration(eta)}`
  );
}

async function loadDownloader(): Promise<AdapterDownload> {
  const specifier: string = '@switchyard/adapter-llamacpp';
  try {
    const module = (await import(specifier)) as Partial<AdapterDownload>;
    if (typeof module.downloadModel !== 'function') throw new Error('downloadModel() is not exported');
    return module as AdapterDownload;
  } catch (error) {
    throw new CliError(
      `models pull needs @switchyard/adapter-llamacpp (${(error as Error).message}); install it next to @switchyard/server`,
    );
  }
}

/**
 * `switchyard models pull <uri>`: downloads a GGUF model (an `hf:owner/repo/file.gguf` URI or an http(s) URL)
 * with a progress bar on stderr. Interrupted pulls resume from the partial file; a complete file is not fetched
 * again. Prints the model's path on stdout.
 */
export async function modelsPullCommand(options: ModelsPullOptions, io: CliIO): Promise<number> {
  const { downloadModel } = await loadDownloader();
  const dir = options.dir === undefined ? undefined : resolve(io.cwd ?? process.cwd(), options.dir);
  // A file where the folder should be fails inside the download as a bare EEXIST from mkdir.
  if (dir !== undefined && (await stat(dir).catch(() => undefined))?.isDirectory() === false) {
    throw new CliError(`models pull: --dir ${options.dir} is a file, not a folder; pass the folder to download into`);
  }
  const interactive = io.stderr.isTTY === true;
  const startedAt = performance.now();
  let startBytes: number | undefined;
  let lastLine = '';
  let lastDrawn = 0;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  io.signal?.addEventListener('abort', onSignal, { once: true });
  io.stderr.write(`Pulling ${options.uri}\n`);
  try {
    const result = await downloadModel({
      uri: options.uri,
      ...(dir === undefined ? {} : { dir }),
      ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
      signal: controller.signal,
      onProgress: (progress) => {
        startBytes ??= progress.receivedBytes;
        const resuming = startBytes > 0 && progress.totalBytes !== startBytes;
        if (resuming && progress.receivedBytes === startBytes && lastLine === '') {
          io.stderr.write(`Resuming after ${formatBytes(startBytes)} already downloaded\n`);
        }
        lastLine = renderProgress(progress, performance.now() - startedAt, startBytes);
        const now = performance.now();
        // Redraw at most ten times a second on a terminal; elsewhere (logs, CI) only the final line is printed.
        if (interactive && now - lastDrawn > 100) {
          lastDrawn = now;
          io.stderr.write(`\r${lastLine}\u001b[K`);
        }
      },
    });
    if (interactive) io.stderr.write(`\r${lastLine}\u001b[K\n`);
    else if (lastLine) io.stderr.write(`${lastLine}\n`);
    io.stderr.write(
      result.cached
        ? `Already downloaded (${formatBytes(result.bytes)})\n`
        : `Downloaded ${formatBytes(result.bytes)} in ${formatDuration((performance.now() - startedAt) / 1000)}\n`,
    );
    io.stdout.write(`${result.path}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (interactive && lastLine) io.stderr.write('\n');
    if (AbortError.isInstance(error) || controller.signal.aborted) {
      io.stderr.write('Download interrupted; run the same command again to resume where it stopped.\n');
      return 130;
    }
    // The downloader names its settings (`modelUri`, `sha256`); here they are the argument and the flag.
    if (InvalidConfigError.isInstance(error)) {
      const flags: Record<string, string> = { modelUri: '<uri>', sha256: '--sha256', dir: '--dir' };
      const lines = error.problems.map((problem) => `${flags[problem.path] ?? problem.path}: ${problem.message}`);
      throw new CliError(`models pull: ${lines.join('\nmodels pull: ')}`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    io.signal?.removeEventListener('abort', onSignal);
  }
}
