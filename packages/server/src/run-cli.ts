import { parseArgs } from 'node:util';
import {
  InvalidConfigError,
  InvalidPolicyError,
  InvalidRequestError,
  longestTimerMs,
  SwitchyardError,
} from '@switchyard/contract';
import type { CliIO } from './cli-io.js';
import { CliError, exitCodes } from './cli-io.js';
import { doctorCommand } from './commands/doctor-command.js';
import { evalPrivacyCommand } from './commands/eval-privacy-command.js';
import { evalRouterCommand } from './commands/eval-router-command.js';
import { modelsPullCommand } from './commands/models-pull-command.js';
import { planCommand } from './commands/plan-command.js';
import { serveCommand } from './commands/serve-command.js';

const usage = `Usage: switchyard <command> [options]

Commands:
  serve --config <file> [--port 8787] [--host 127.0.0.1] [--auth-token <token>] [--body-limit 1mb]
        [--allowed-origins <origin,...>] [--allowed-hosts <host,...>] [--log-format text|json] [--quiet]
      Serve the OpenAI-compatible gateway (POST /v1/chat/completions, GET /v1/models, GET /health,
      GET /metrics in the Prometheus text format). The auth token may also come from SWITCHYARD_AUTH_TOKEN.
      Web pages on other origins are refused unless listed in --allowed-origins (or gateway.allowedOrigins).
      On loopback, host names other than localhost, *.localhost and IP addresses are refused unless listed
      in --allowed-hosts (or gateway.allowedHosts): a web site can re-point its name at 127.0.0.1.
      One log line per request on stderr: text, or JSON with --log-format json.
  plan --config <file> --request <file|-> [--signals <file>] [--json]
      Dry-run the routing decision for one chat-completions body. Loads no model, opens no connection.
      Exit code 2 when no target is eligible.
  models pull <uri> [--dir <dir>] [--sha256 <hex>]
      Download a GGUF model (hf:owner/repo/file.gguf or an http(s) URL) with a progress bar; resumable.
  doctor --config <file> [--skip-generate] [--timeout <ms>] [--json]
      Check every target (secrets, adapter, status, a one-token generation) and say what to fix.
  eval-router --data <jsonl> [--json] [--plot <file.svg>]
      Evaluate the on-device difficulty scorer on a routing data set.
  eval-privacy [--corpus <jsonl>] [--data <jsonl>] [--region US] [--min-confidence 0.5] [--json]
      Recall per kind and false positives of the on-device personal-data detector on the shipped labelled
      corpus (or --corpus); --data adds the false-positive rate over a routing data set's prompts.

Options:
  -h, --help     Show this help.
  -v, --version  Show the version.
`;

function commandOptions<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(
  args: string[],
  options: T,
) {
  return parseArgs({
    args,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
}

function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value === '') throw new CliError(`${command}: ${flag} is required\n\n${usage}`);
  return value;
}

function noPositionals(positionals: string[], command: string) {
  if (positionals.length > 0) throw new CliError(`${command}: unexpected argument "${positionals[0]}"\n\n${usage}`);
}

/**
 * Node's own words for a flag it does not know talk about positional arguments and `--` ("To specify a positional
 * argument starting with a '-', place it at the end of the command after '--'"), which is no help for a mistyped
 * flag; the usage printed below lists the flags each command takes.
 */
function parseProblemMessage(error: NodeJS.ErrnoException): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    return `unknown option ${flag}: the options of each command are listed below`;
  }
  return error.message;
}

function formatError(error: unknown): string {
  if (
    InvalidConfigError.isInstance(error) ||
    InvalidPolicyError.isInstance(error) ||
    InvalidRequestError.isInstance(error)
  ) {
    const title =
      error.code === 'invalid-request'
        ? 'Invalid request'
        : error.code === 'invalid-policy'
          ? 'Invalid policy'
          : 'Invalid configuration';
    const lines = error.problems.map((problem) => `  - ${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
    return `${title}:\n${lines.join('\n')}`;
  }
  if (error instanceof CliError) return error.message;
  if (SwitchyardError.isInstance(error)) return `${error.name}: ${error.message}`;
  return `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(usage);
      return command === undefined ? exitCodes.error : exitCodes.ok;
    case '--version':
    case '-v':
      io.stdout.write(`${await version()}\n`);
      return exitCodes.ok;
    case 'serve': {
      const { values, positionals } = commandOptions(rest, {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'auth-token': { type: 'string' },
        'body-limit': { type: 'string' },
        'allowed-origins': { type: 'string' },
        'allowed-hosts': { type: 'string' },
        'log-format': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      });
      if (values.help) return help(io);
      noPositionals(positionals, 'serve');
      return serveCommand(
        {
          config: required(values.config, '--config', 'serve'),
          ...(values.port === undefined ? {} : { port: values.port }),
          ...(values.host === undefined ? {} : { host: values.host }),
          ...(values['auth-token'] === undefined ? {} : { authToken: values['auth-token'] }),
          ...(values['body-limit'] === undefined ? {} : { bodyLimit: values['body-limit'] }),
          ...(values['allowed-origins'] === undefined ? {} : { allowedOrigins: values['allowed-origins'] }),
          ...(values['allowed-hosts'] === undefined ? {} : { allowedHosts: values['allowed-hosts'] }),
          ...(values['log-format'] === undefined ? {} : { logFormat: values['log-format'] }),
          quiet: values.quiet === true,
        },
        io,
      );
    }
    case 'plan': {
      const { values, positionals } = commandOptions(rest, {
        config: { type: 'string', short: 'c' },
        request: { type: 'string', short: 'r' },
        signals: { type: 'string', short: 's' },
        json: { type: 'boolean' },
      });
      if (values.help) return help(io);
      noPositionals(positionals, 'plan');
      return planCommand(
        {
          config: required(values.config, '--config', 'plan'),
          request: required(values.request, '--request', 'plan'),
          ...(values.signals === undefined ? {} : { signals: values.signals }),
          json: values.json === true,
        },
        io,
      );
    }
    case 'models': {
      const { values, positionals } = commandOptions(rest, {
        dir: { type: 'string', short: 'd' },
        sha256: { type: 'string' },
      });
      if (values.help) return help(io);
      const [subcommand, uri, extra] = positionals;
      if (subcommand !== 'pull')
        throw new CliError(`models: unknown subcommand "${subcommand ?? ''}"; expected "pull"\n\n${usage}`);
      if (extra !== undefined) throw new CliError(`models pull: unexpected argument "${extra}"`);
      return modelsPullCommand(
        {
          uri: required(uri, '<uri>', 'models pull'),
          ...(values.dir === undefined ? {} : { dir: values.dir }),
          ...(values.sha256 === undefined ? {} : { sha256: values.sha256 }),
        },
        io,
      );
    }
    case 'doctor': {
      const { values, positionals } = commandOptions(rest, {
        config: { type: 'string', short: 'c' },
        'skip-generate': { type: 'boolean' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return help(io);
      noPositionals(positionals, 'doctor');
      const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
      // A timer longer than longestTimerMs fires at once: every probe would "time out" straight away.
      if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= longestTimerMs)) {
        throw new CliError(
          `doctor: --timeout expects milliseconds from 1 to ${longestTimerMs} (24.8 days), got "${values.timeout}"`,
        );
      }
      return doctorCommand(
        {
          config: required(values.config, '--config', 'doctor'),
          skipGenerate: values['skip-generate'] === true,
          json: values.json === true,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        },
        io,
      );
    }
    case 'eval-router': {
      const { values, positionals } = commandOptions(rest, {
        data: { type: 'string', short: 'd' },
        json: { type: 'boolean' },
        plot: { type: 'string' },
      });
      if (values.help) return help(io);
      noPositionals(positionals, 'eval-router');
      return evalRouterCommand(
        {
          data: required(values.data, '--data', 'eval-router'),
          json: values.json === true,
          ...(values.plot === undefined ? {} : { plot: values.plot }),
        },
        io,
      );
    }
    case 'eval-privacy': {
      const { values, positionals } = commandOptions(rest, {
        corpus: { type: 'string' },
        data: { type: 'string', short: 'd' },
        region: { type: 'string' },
        'min-confidence': { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return help(io);
      noPositionals(positionals, 'eval-privacy');
      const minConfidence = values['min-confidence'] === undefined ? undefined : Number(values['min-confidence']);
      if (minConfidence !== undefined && !(minConfidence >= 0 && minConfidence <= 1)) {
        throw new CliError(
          `eval-privacy: --min-confidence expects a number from 0 to 1, got "${values['min-confidence']}"`,
        );
      }
      return evalPrivacyCommand(
        {
          ...(values.corpus === undefined ? {} : { corpus: values.corpus }),
          ...(values.data === undefined ? {} : { data: values.data }),
          ...(values.region === undefined ? {} : { region: values.region }),
          ...(minConfidence === undefined ? {} : { minConfidence }),
          json: values.json === true,
        },
        io,
      );
    }
    default:
      throw new CliError(`Unknown command "${command}"\n\n${usage}`);
  }
}

function help(io: CliIO): number {
  io.stdout.write(usage);
  return exitCodes.ok;
}

/**
 * Runs the `switchyard` CLI with `argv` (without `node` and the script) and resolves with the exit code; it never
 * calls `process.exit`. Problems the user can fix (bad flags, an invalid config listed by path, a missing adapter)
 * are printed to `stderr` without a stack trace. Exit codes: 0 ok, 1 error, 2 no eligible target (`plan`).
 *
 * @example
 * ```ts
 * const code = await runCli(['plan', '--config', 'switchyard.config.json', '--request', 'req.json', '--json']);
 * ```
 */
export async function runCli(argv: readonly string[], io: Partial<CliIO> = {}): Promise<number> {
  const resolved: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, ...io };
  try {
    return await dispatch([...argv], resolved);
  } catch (error) {
    const parseProblem = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = parseProblem
      ? `${parseProblemMessage(error as NodeJS.ErrnoException)}\n\n${usage}`
      : formatError(error);
    resolved.stderr.write(`${message}\n`);
    return error instanceof CliError ? error.exitCode : exitCodes.error;
  }
}
