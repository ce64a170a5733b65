import type { Target } from '@switchyard/contract';
import type { CliIO } from '../cli-io.js';
import { CliError, exitCodes } from '../cli-io.js';
import { createGateway } from '../create-gateway.js';

import { apiKeysFromConfig, createRouterFromConfig } from '../create-router-from-config.js';
import { resolveSecret } from '../create-targets-from-config.js';
import type { LogFormat } from '../gateway-logger.js';
import { createJsonLogger } from '../gateway-logger.js';
import { createPrometheusRegistry } from '../gateway-metrics.js';
import { allowedHostProblem } from '../host-policy.js';
import { loadConfig } from '../load-config.js';
import { allowedOriginProblem } from '../origin-policy.js';
import { unsetVariableMessage } from '../unset-variable-message.js';

/** How long `serve` lets in-flight requests finish after SIGINT/SIGTERM: the gateway's default close grace. */
const shutdownGraceMs = 10_000;

/** Options of the `serve` command, as parsed from the command line. */
export interface ServeCommandOptions {
  config: string;
  port?: string;
  host?: string;
  authToken?: string;
  bodyLimit?: string;
  /** Comma-separated origins (or `*`); wins over the config's `gateway.allowedOrigins`. */
  allowedOrigins?: string;
  /** Comma-separated host names (or `*`); wins over the config's `gateway.allowedHosts`. */
  allowedHosts?: string;
  /** `text` or `json`. */
  logFormat?: string;
  quiet?: boolean;
}

function parseLogFormat(value: string | undefined): LogFormat | undefined {
  if (value === undefined) return undefined;
  if (value !== 'text' && value !== 'json') {
    throw new CliError(`--log-format: expected "text" or "json", got "${value}"`);
  }
  return value;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Number('') is 0, which would listen on a random port: `--port=` with nothing after it is a mistake.
  const port = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CliError(`--port: expected a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseBytes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i.exec(value.trim());
  if (!match) throw new CliError(`--body-limit: expected a size like 1048576, 512kb or 4mb, got "${value}"`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(match[1]) * factor;
}

/** A comma-separated list flag, each entry checked by `problemOf`; the first bad one fails naming the flag. */
function parseList(
  flag: string,
  value: string | undefined,
  problemOf: (entry: string) => string | undefined,
): string[] | undefined {
  if (value === undefined) return undefined;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const problem = problemOf(entry);
    if (problem !== undefined) throw new CliError(`${flag}: ${problem}`);
  }
  return entries;
}

function waitForStop(io: CliIO): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      io.signal?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    const onAbort = () => stop('abort');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (io.signal?.aborted) stop('abort');
    else io.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why the gateway could not listen, with the flag (or config field) that fixes it. */
function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use; pick another with --port (or gateway.port), or stop what uses it`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this process lacks; pick one above 1023 with --port, e.g. 8787`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${host} is not a name this machine resolves; pass an address, e.g. --host 127.0.0.1 (or 0.0.0.0 for every interface)`;
    case 'EADDRNOTAVAIL':
      return `--host ${host} is not an address of this machine; pass one of its own, e.g. --host 127.0.0.1 (or 0.0.0.0 for every interface)`;
    default:
      return `cannot listen on ${host}:${port}: ${error.message}`;
  }
}

/**
 * Asks each local target once, after the gateway listens, whether it is ready (a file check, no model load), and
 * names on stderr each one that is not (a missing model file): otherwise a new user learns it only from the first
 * 503. Remote targets are not probed: a probe marks a server that is briefly down unavailable before any request
 * tried it, so its circuit would never see the failures it counts (doctor probes them). Failures to check are left
 * to the requests, which report them.
 */
async function reportUnavailableTargets(targets: Record<string, Target>, io: CliIO, signal: AbortSignal) {
  const local = Object.entries(targets).filter(([, target]) => target.locality === 'local');
  await Promise.all(
    local.map(async ([name, target]) => {
      try {
        const status = await target.checkStatus?.({ signal });
        if (status?.state === 'unavailable' && !signal.aborted) {
          io.stderr.write(`target ${name} is unavailable: ${status.reason} (switchyard doctor says how to fix it)\n`);
        }
      } catch {
        // Said by the requests that reach it.
      }
    }),
  );
}

/**
 * `switchyard serve`: builds the router from the config and serves the OpenAI-compatible gateway until SIGINT or
 * SIGTERM, then finishes in-flight streams and exits 0. The auth token comes from `--auth-token`, then
 * `SWITCHYARD_AUTH_TOKEN`, then the config's `gateway.authToken`.
 */
export async function serveCommand(options: ServeCommandOptions, io: CliIO): Promise<number> {
  const env = io.env ?? process.env;
  // Checked before the config loads, like the other flags: a typo fails at once.
  const flagOrigins = parseList('--allowed-origins', options.allowedOrigins, allowedOriginProblem);
  const flagHosts = parseList('--allowed-hosts', options.allowedHosts, allowedHostProblem);
  const config = await loadConfig(options.config, io.cwd === undefined ? {} : { cwd: io.cwd });
  const port = parsePort(options.port) ?? config.gateway?.port ?? 8787;
  const logFormat = parseLogFormat(options.logFormat) ?? config.gateway?.logFormat ?? 'text';
  const host = options.host ?? config.gateway?.host ?? '127.0.0.1';
  const bodyLimitBytes = parseBytes(options.bodyLimit) ?? config.gateway?.bodyLimitBytes;
  const allowedOrigins = flagOrigins ?? config.gateway?.allowedOrigins;
  const allowedHosts = flagHosts ?? config.gateway?.allowedHosts;
  const authToken =
    options.authToken ?? (env.SWITCHYARD_AUTH_TOKEN || undefined) ?? resolveSecret(config.gateway?.authToken, env);
  const tokenSecret = config.gateway?.authToken;
  if (tokenSecret !== undefined && typeof tokenSecret !== 'string' && authToken === undefined) {
    throw new CliError(
      `gateway.authToken: ${unsetVariableMessage(tokenSecret.env, env, 'export it, set SWITCHYARD_AUTH_TOKEN or pass --auth-token')}`,
    );
  }
  const keys = apiKeysFromConfig(config, env);
  // One Prometheus registry for the gateway's metrics and the router's GenAI metrics: both on /metrics.
  const registry = createPrometheusRegistry();
  const built = await createRouterFromConfig(config, { env, telemetry: { meterProvider: registry.meterProvider } });
  const log = options.quiet || logFormat !== 'text' ? undefined : (line: string) => io.stderr.write(`${line}\n`);
  const logger = options.quiet || logFormat !== 'json' ? undefined : createJsonLogger(io.stderr);
  // A replica that lost its shared Redis keeps serving on local state; operators must see that it did.
  built.router.on('store', (event) => io.stderr.write(`store ${event.type}: ${event.message}\n`));
  // A store that never reached Redis said so while the router was built, before the line above listened.
  if ((built.store as { shared?: boolean } | undefined)?.shared === false) {
    io.stderr.write(
      'store degraded: Redis did not answer at startup; serving on local state until it does, so budgets and ' +
        'circuits are not shared with other replicas (switchyard doctor checks the connection)\n',
    );
  }
  const gateway = createGateway({
    router: built.router,
    ...(keys.length > 0 ? { keys, ...(built.store ? { store: built.store } : {}) } : {}),
    ...(config.gateway?.headersTimeoutMs ? { headersTimeoutMs: config.gateway.headersTimeoutMs } : {}),
    ...(config.gateway?.maxConnectionsPerAddress
      ? { maxConnectionsPerAddress: config.gateway.maxConnectionsPerAddress }
      : {}),
    ...(authToken ? { authToken } : {}),
    ...(allowedOrigins ? { allowedOrigins } : {}),
    ...(allowedHosts ? { allowedHosts } : {}),
    ...(bodyLimitBytes ? { bodyLimitBytes } : {}),
    ...(log ? { log } : {}),
    ...(logger ? { logger } : {}),
    metrics: { registry, public: config.gateway?.metricsPublic === true },
    shutdownGraceMs,
  });
  let url: string;
  try {
    url = await gateway.listen({ port, host });
  } catch (error) {
    await built.dispose();
    await registry.shutdown();
    throw new CliError(listenProblem(error as NodeJS.ErrnoException, host, port));
  }
  const targets = Object.entries(built.targets)
    .map(([name, target]) => `${name} (${target.locality})`)
    .join(', ');
  io.stdout.write(
    `Switchyard gateway on ${url}/v1 — models: switchyard/auto, ${Object.keys(built.targets).join(', ')}\n` +
      `Targets: ${targets}; policy mode ${config.policy.mode}${authToken ? '; bearer-token auth on' : ''}` +
      `${keys.length > 0 ? `; ${keys.length} API key(s)` : ''}\n`,
  );
  io.onListening?.(url);
  const startupCheck = new AbortController();
  const checked = reportUnavailableTargets(built.targets, io, startupCheck.signal);
  const reason = await waitForStop(io);
  startupCheck.abort();
  await checked;
  // What it waits for and for how long (the gateway's close grace), and how not to: a second signal finds no handler
  // left and ends the process at once.
  const again = reason === 'SIGINT' ? 'press Ctrl-C again' : reason === 'SIGTERM' ? 'send SIGTERM again' : undefined;
  io.stderr.write(
    `Received ${reason}: finishing in-flight requests (at most ${shutdownGraceMs / 1000} s${again ? `; ${again} to stop at once` : ''})…\n`,
  );
  await gateway.close();
  await built.dispose();
  await registry.shutdown();
  return exitCodes.ok;
}
