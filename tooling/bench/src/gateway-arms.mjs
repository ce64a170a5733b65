// The processes that bench rows 7 and 16 put under the same autocannon load: `switchyard serve` (built from
// @switchyard/server's dist, one remote target on the loopback upstream), the minimal pass-through proxy (the
// ceiling) and Portkey's open-source gateway run locally, plus the load itself. Latency comes from autocannon's
// per-response timings (float ms from hrtime; its own histogram rounds to whole ms, too coarse here).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { maxTokens, prompt } from './clients.mjs';
import { percentile } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function stopper(child, cleanup = () => {}) {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    cleanup();
  };
}

/**
 * `switchyard serve` in a child process, one openai target on the upstream; `execArgv` e.g. `['--cpu-prof']`;
 * `cli` another checkout's built `packages/server/dist/cli.js` (an A/B of two builds), default this one's.
 */
export async function startGateway(upstream, { execArgv = [], cwd, cli: otherCli } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const config = join(dir, 'switchyard.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      targets: { gpu: { adapter: 'openai', baseURL: `${upstream}/v1`, model: 'zero' } },
      policy: { mode: 'remote-only' },
    }),
  );
  const cli = otherCli ?? join(dirname(fileURLToPath(import.meta.resolve('@switchyard/server'))), 'cli.js');
  const child = spawn(process.execPath, [...execArgv, cli, 'serve', '--config', config, '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(cwd ? { cwd } : {}),
  });
  const url = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /gateway on (http:\/\/[^\s/]+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`switchyard serve exited with ${code}: ${output}`)));
  });
  child.stdout.resume();
  return { url, pid: child.pid, close: stopper(child, () => rmSync(dir, { recursive: true, force: true })) };
}

/** The minimal pass-through proxy (`minimal-proxy.mjs`) in a child process. */
export async function startMinimalProxy(upstream) {
  const child = fork(join(here, 'minimal-proxy.mjs'), [upstream], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`minimal-proxy exited with ${code} before listening`)));
  });
  return { url, pid: child.pid, close: stopper(child) };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Portkey's open-source gateway (`@portkey-ai/gateway`, Node + Hono) from its npm build, headless, on loopback. */
export async function startPortkey() {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('@portkey-ai/gateway/package.json')), 'build', 'start-server.js');
  const port = await freePort();
  const child = spawn(process.execPath, [main, `--port=${port}`, '--headless'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (/Ready for connections/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`portkey gateway exited with ${code}: ${output.slice(-400)}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return { url: `http://127.0.0.1:${port}`, close: stopper(child) };
}

/** The chat body every arm sends: only `model` differs, and each proxy maps it to the upstream's `zero`. */
export function chatBody(model, stream) {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: maxTokens,
    ...(stream ? { stream: true } : {}),
  });
}

/**
 * Autocannon against `origin`'s chat endpoint. Returns RPS and p50/p99 of the 2xx responses, plus how many were
 * not 2xx (a peer's failure is reported, not thrown: `strict` throws, for our own arms).
 */
export async function load(origin, { body, headers = {}, connections, seconds, strict = true, label }) {
  const times = [];
  let failed = 0;
  let sample;
  const instance = autocannon({
    url: `${origin}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    duration: seconds,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) times.push(responseTime * 1000);
    else {
      failed += 1;
      sample ??= statusCode;
    }
  });
  const result = await instance;
  const problems = result.non2xx + result.errors + result.timeouts;
  if (strict && problems > 0) {
    throw new Error(
      `${label}: ${result.non2xx} non-2xx (first ${sample}), ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const answered = times.length + failed;
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    rps: times.length / seconds,
    failedShare:
      answered === 0 ? 1 : (failed + result.errors + result.timeouts) / (answered + result.errors + result.timeouts),
    ...(sample === undefined ? {} : { failedStatus: sample }),
  };
}
