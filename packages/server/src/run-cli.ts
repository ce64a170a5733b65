import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { nearestKey } from '@switchyard/adapter-utils';
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

/** Each command's line of `--help`, by the name typed: `switchyard <command> --help` prints its own. */
const commandHelp = {
  serve: `  serve --config <file> [--port 8787] [--host 127.0.0.1] [--auth-token <token>] [--body-limit 1mb]
        [--allowed-origins <origin,...>] [--allowed-hosts <host,...>] [--log-format text|json] [--quiet]
      Serve the OpenAI-compatible gateway (POST /v1/chat/completions, GET /v1/models, GET /health,
      GET /metrics in the Prometheus text format). The auth token may also come from SWITCHYARD_AUTH_TOKEN.
      Web pages on other origins are refused unless listed in --allowed-origins (or gateway.allowedOrigins).
      On loopback, host names other than localhost, *.localhost and IP addresses are refused unless listed
      in --allowed-hosts (or gateway.allowedHosts): a web site can re-point its name at 127.0.0.1.
      One log line per request on stderr: text, or JSON with --log-format json.
`,
  plan: `  plan --config <file> --request <file|-> [--signals <file>] [--json]
      Dry-run the routing decision for one chat-completions body. Loads no model, opens no connection.
      Exit code 2 when no target is eligible.
`,
  models: `  models pull <uri> [--dir <dir>] [--sha256 <hex>]
      Download a GGUF model (hf:owner/repo/file.gguf or an http(s) URL) with a progress bar; resumable.
`,
  doctor: `  doctor --config <file> [--skip-generate] [--timeout <ms>] [--json]
      Check every target (secrets, adapter, status, a one-token generation) and say what to fix.
`,
  'eval-router': `  eval-router --data <jsonl> [--json] [--plot <file.svg>]
      Evaluate the on-device difficulty scorer on a routing data set.
`,
  'eval-privacy': `  eval-privacy [--corpus <jsonl>] [--data <jsonl>] [--region US] [--min-confidence 0.5] [--json]
      Recall per kind and false positives of the on-device personal-data detector on the shipped labelled
      corpus (or --corpus); --data adds the false-positive rate over a routing data set's prompts.
`,
} as const;

type CommandName = keyof typeof commandHelp;
const commandNames = Object.keys(commandHelp) as CommandName[];

const usage = `Usage: switchyard <command> [options]

Commands:
${Object.values(commandHelp).join('')}
Options:
  -h, --help     Show this help.
  -v, --version  Show the version.
`;

/** `switchyard <command> --help`, and what a mistake in one command's flags prints: that command's usage only. */
function usageOf(command: CommandName): string {
  return `Usage: switchyard ${commandHelp[command].trimStart()}`;
}

/** The command a typo most likely meant (`serv` → `serve`), or those it starts (`eval` → eval-router, eval-privacy). */
function commandSuggestion(typed: string): string {
  if (typed === 'pull') return '; did you mean "models pull"?';
  const meant = nearestKey(typed, commandNames);
  if (meant !== undefined) return `; did you mean "${meant}"?`;
  const started = commandNames.filter((name) => name.startsWith(typed.toLowerCase()));
  return started.length > 0 ? `; did you mean ${started.map((name) => `"${name}"`).join(' or ')}?` : '';
}

function commandOptions<T extends Record<string, { type: 'string' | 'boolean'; short?: string }>>(
  command: CommandName,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliError(
      `${command}: ${parseProblemMessage(error as NodeJS.ErrnoException, Object.keys(options))}\n\n${usageOf(command)}`,
    );
  }
}

function required(value: string | undefined, flag: string, command: CommandName, hint = ''): string {
  if (value === undefined || value === '')
    throw new CliError(`${command}: ${flag} is required${hint}\n\n${usageOf(command)}`);
  return value;
}

/** `--config`, which when missing is named with the config file in the working directory, if there is one. */
function requiredConfig(value: string | undefined, command: CommandName, io: CliIO): string {
  if (value !== undefined && value !== '') return value;
  const cwd = io.cwd ?? process.cwd();
  let found: string[] = [];
  try {
    found = readdirSync(cwd).filter((name) => /^switchyard\.config\.[cm]?[jt]s(on)?$/.test(name));
  } catch {
    // An unreadable working directory only loses the hint.
  }
  const hint =
    found.length > 0
      ? `, e.g. --config ${found.sort()[0]}`
      : `, e.g. --config switchyard.config.json (there is no switchyard.config.* in ${cwd})`;
  return required(value, '--config', command, hint);
}

function noPositionals(positionals: string[], command: CommandName) {
  if (positionals.length > 0) {
    throw new CliError(`${command}: unexpected argument "${positionals[0]}"\n\n${usageOf(command)}`);
  }
}

/**
 * Node's own words for a flag it does not know talk about positional arguments and `--` ("To specify a positional
 * argument starting with a '-', place it at the end of the command after '--'"), which is no help for a mistyped
 * flag: it is named with the flag it most likely meant, and the command's usage is printed below.
 */
function parseProblemMessage(error: NodeJS.ErrnoException, flags: string[]): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const meant = nearestKey(flag.replace(/^-+/, ''), [...flags, 'help']);
    return `unknown option ${flag}${meant === undefined ? '' : `; did you mean --${meant}?`}`;
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
      const { values, positionals } = commandOptions('serve', rest, {
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
      if (values.help) return help(io, 'serve');
      noPositionals(positionals, 'serve');
      return serveCommand(
        {
          config: requiredConfig(values.config, 'serve', io),
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
      const { values, positionals } = commandOptions('plan', rest, {
        config: { type: 'string', short: 'c' },
        request: { type: 'string', short: 'r' },
        signals: { type: 'string', short: 's' },
        json: { type: 'boolean' },
      });
      if (values.help) return help(io, 'plan');
      noPositionals(positionals, 'plan');
      return planCommand(
        {
          config: requiredConfig(values.config, 'plan', io),
          request: required(values.request, '--request', 'plan'),
          ...(values.signals === undefined ? {} : { signals: values.signals }),
          json: values.json === true,
        },
        io,
      );
    }
    case 'models': {
      const { values, positionals } = commandOptions('models', rest, {
        dir: { type: 'string', short: 'd' },
        sha256: { type: 'string' },
      });
      if (values.help) return help(io, 'models');
      const [subcommand, uri, extra] = positionals;
      if (subcommand !== 'pull') {
        throw new CliError(
          `models: ${subcommand === undefined ? 'missing subcommand' : `unknown subcommand "${subcommand}"`}; expected "pull"\n\n${usageOf('models')}`,
        );
      }
      if (uri === undefined || uri === '') {
        throw new CliError(
          `models pull: <uri> is required, e.g. hf:owner/repo/file.gguf or an https: URL\n\n${usageOf('models')}`,
        );
      }
      if (extra !== undefined)
        throw new CliError(`models pull: unexpected argument "${extra}"\n\n${usageOf('models')}`);
      return modelsPullCommand(
        {
          uri,
          ...(values.dir === undefined ? {} : { dir: values.dir }),
          ...(values.sha256 === undefined ? {} : { sha256: values.sha256 }),
        },
        io,
      );
    }
    case 'doctor': {
      const { values, positionals } = commandOptions('doctor', rest, {
        config: { type: 'string', short: 'c' },
        'skip-generate': { type: 'boolean' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return help(io, 'doctor');
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
          config: requiredConfig(values.config, 'doctor', io),
          skipGenerate: values['skip-generate'] === true,
          json: values.json === true,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        },
        io,
      );
    }
    case 'eval-router': {
      const { values, positionals } = commandOptions('eval-router', rest, {
        data: { type: 'string', short: 'd' },
        json: { type: 'boolean' },
        plot: { type: 'string' },
      });
      if (values.help) return help(io, 'eval-router');
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
      const { values, positionals } = commandOptions('eval-privacy', rest, {
        corpus: { type: 'string' },
        data: { type: 'string', short: 'd' },
        region: { type: 'string' },
        'min-confidence': { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return help(io, 'eval-privacy');
      noPositionals(positionals, 'eval-privacy');
      const confidence = values['min-confidence'];
      // Number('') is 0: `--min-confidence=` with nothing after it would count every detection.
      const minConfidence =
        confidence === undefined ? undefined : confidence.trim() === '' ? Number.NaN : Number(confidence);
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
    default: {
      if (command.startsWith('-')) {
        // Only the flag's name: a value written with `=` may be a secret (`--auth-token=…`).
        const flag = command.split('=')[0];
        throw new CliError(`missing command: ${flag} goes after one, e.g. switchyard serve ${flag} …\n\n${usage}`);
      }
      throw new CliError(`Unknown command "${command}"${commandSuggestion(command)}\n\n${usage}`);
    }
  }
}

function help(io: CliIO, command: CommandName): number {
  io.stdout.write(usageOf(command));
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
    resolved.stderr.write(`${formatError(error)}\n`);
    return error instanceof CliError ? error.exitCode : exitCodes.error;
  }
}
