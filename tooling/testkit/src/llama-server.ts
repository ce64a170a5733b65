import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { get } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchyard/adapter-utils/testing';

const ensureScript = 'tooling/testkit/scripts/ensure-llama-server.mjs';

/** Where `ensure-llama-server.mjs` caches its build; keep in step with that script's `cacheRoot()`. */
function cacheRoot(): string {
  if (process.env.SWITCHYARD_CACHE_DIR) return process.env.SWITCHYARD_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchyard');
}

/**
 * The path of the cached `llama-server` binary. `SWITCHYARD_LLAMA_SERVER` overrides it. Throws an error that names
 * the build script when the binary is missing (`pnpm test` runs the script first; run it by hand otherwise).
 *
 * Reads the cache directory instead of calling the script, so a test never starts a 5-minute build by surprise.
 */
export function findLlamaServer(): string {
  const override = process.env.SWITCHYARD_LLAMA_SERVER;
  if (override) {
    if (!existsSync(override)) throw new Error(`SWITCHYARD_LLAMA_SERVER points at ${override}, which does not exist`);
    return override;
  }
  const dir = join(cacheRoot(), 'llama-server');
  const builds = existsSync(dir) ? readdirSync(dir) : [];
  for (const commit of builds) {
    const binary = join(dir, commit, 'llama-server');
    if (existsSync(binary)) return binary;
  }
  throw new Error(
    `llama-server is not built yet (looked in ${dir}). Run \`node ${ensureScript}\` from the repository root ` +
      '(about 5 minutes, once per machine); `pnpm test` runs it automatically.',
  );
}

/** Options for {@link startLlamaServer}. */
export interface LlamaServerOptions {
  /** The GGUF model to serve, e.g. from `ensureTinyModel()`. */
  modelPath: string;
  /** Parallel slots (`-np`). Default 1. */
  parallel?: number;
  /** Context size across all slots (`-c`). Default 2048. */
  ctxSize?: number;
  /** CPU threads (`-t`). Default 1: these machines have 2 cores shared with everything else. */
  threads?: number;
  /** Model name reported by `/v1/models` (`--alias`). Default `tiny`. */
  alias?: string;
  /** More command-line arguments, e.g. `['--jinja']`. */
  extraArgs?: string[];
  /** How long to wait for `/health` to answer 200 before giving up. Default 60 s. */
  readyTimeoutMs?: number;
  /** The binary; defaults to {@link findLlamaServer}. */
  binary?: string;
}

/** A running `llama-server`. */
export interface LlamaServer {
  /** The OpenAI-compatible base URL, e.g. `http://127.0.0.1:41234/v1`. */
  readonly baseURL: string;
  /** The server's origin, e.g. `http://127.0.0.1:41234` (for `/health`). */
  readonly origin: string;
  readonly port: number;
  readonly pid: number;
  /** The model alias the server reports. */
  readonly model: string;
  /** Everything the server printed so far (stdout and stderr). */
  logs(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s). Resolves once the process has exited. Idempotent. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every server this process started; runs synchronously on exit so no server outlives its test runner. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole process group (the watchdog shell and llama-server).
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

// The watchdog shell runs llama-server and stops it as soon as its stdin closes: when stop() closes it, and also
// when the Node process dies without running exit hooks (SIGKILL, a crashed vitest worker), because the kernel
// closes the pipe then. So no llama-server is left behind however the test runner ends.
const watchdog = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'server=$!',
  '(read _ <&3; kill -TERM "$server" 2>/dev/null) &',
  'watcher=$!',
  'wait "$server"; status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

function healthStatus(origin: string): Promise<number> {
  return new Promise((resolve) => {
    const request = get(`${origin}/health`, { agent: false, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

/**
 * Starts llama.cpp's `llama-server` on a free loopback port and resolves once `/health` answers 200 (model loaded).
 * Always `stop()` it in `afterAll`; servers still running when the process exits are killed, and a watchdog kills
 * them even if the process is killed outright.
 *
 * @example
 * ```ts
 * const server = await startLlamaServer({ modelPath: await ensureTinyModel(), parallel: 2 });
 * const target = createOpenAITarget({ baseURL: server.baseURL, model: server.model });
 * afterAll(() => server.stop());
 * ```
 */
export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const binary = options.binary ?? findLlamaServer();
  if (!existsSync(options.modelPath)) throw new Error(`modelPath: no file at ${options.modelPath}`);
  const alias = options.alias ?? 'tiny';
  // Another process can take the probed port before llama-server binds it; retry with a new one then.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    try {
      return await launch(binary, port, alias, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && /bind|address already in use/i.test(error.message))) throw error;
    }
  }
  throw lastError;
}

async function launch(binary: string, port: number, alias: string, options: LlamaServerOptions): Promise<LlamaServer> {
  const args = [
    '-m',
    options.modelPath,
    '-c',
    String(options.ctxSize ?? 2048),
    '-np',
    String(options.parallel ?? 1),
    '-t',
    String(options.threads ?? 1),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--alias',
    alias,
    ...(options.extraArgs ?? []),
  ];
  installExitHook();
  const child = spawn('sh', ['-c', watchdog, 'llama-server-watchdog', binary, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  const append = (chunk: Buffer): void => {
    // Keep the tail only: a long test run must not grow this without bound.
    output = (output + chunk.toString('utf8')).slice(-64_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  // A forgotten server must not keep the test runner alive; the exit hook and the watchdog still kill it.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  child.once('error', (error) => append(Buffer.from(`spawn failed: ${error.message}\n`)));

  const origin = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (stopOptions: { graceMs?: number } = {}): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Closing stdin makes the watchdog send SIGTERM to llama-server and wait for it, so `exited` means the
      // server itself is gone, not just the shell.
      child.stdin?.end();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), stopOptions.graceMs ?? 5000);
      });
      if ((await Promise.race([exited, grace])) === 'timeout') {
        killGroup(child, 'SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`llama-server exited before it was ready (code ${child.exitCode}):\n${output.slice(-4000)}`);
    }
    if ((await healthStatus(origin)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`llama-server did not become healthy within ${options.readyTimeoutMs ?? 60_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    baseURL: `${origin}/v1`,
    origin,
    port,
    pid: child.pid ?? -1,
    model: alias,
    logs: () => output,
    stop,
  };
}
