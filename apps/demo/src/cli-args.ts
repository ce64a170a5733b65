import { parseArgs } from 'node:util';

/** What `pnpm demo [tour] [flags]` asked for. */
export interface DemoArgs {
  command: 'serve' | 'tour' | 'help';
  /** `--port`, else `PORT`; undefined means 5173 or the next free port. */
  port?: number;
  configPath?: string;
  json: boolean;
}

export const usage = `Usage:
  pnpm demo [--port <n>] [--config <switchyard.config.json>]     start the web app
  pnpm demo tour [--json] [--config <switchyard.config.json>]    run the scripted scenarios and print what was decided

Environment:
  PORT                               port of the web app (default 5173, or the next free one)
  SWITCHYARD_LOCAL_MODEL             a GGUF model for the on-device target (default: a generated tiny model)
  SWITCHYARD_REMOTE_URL              an OpenAI-compatible endpoint for the remote target (default: a loopback stand-in)
  SWITCHYARD_REMOTE_MODEL            the model that endpoint serves
  SWITCHYARD_REMOTE_API_KEY          its API key (optional)
  SWITCHYARD_DEMO_REMOTE_DELAY_MS    simulated network delay of the stand-in (default 40)`;

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${source}: expected a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    // `pnpm demo -- tour --json` passes the separator through; here it separates nothing.
    args: argv.filter((word) => word !== '--'),
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p' },
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/** Parses the command line; throws an Error whose message names the flag and the fix. */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoArgs {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    // Node's message for an unknown flag talks about positional arguments after '--': no help for a typo.
    const flag = /'([^']+)'/.exec((error as Error).message)?.[1];
    if ((error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
      throw new Error(`unknown option ${flag}: the options are listed below`);
    }
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', json: false };
  const words = positionals;
  if (words.length > 1 || (words[0] !== undefined && words[0] !== 'tour' && words[0] !== 'serve')) {
    throw new Error(`unknown command "${words.join(' ')}": expected "tour" or nothing (see --help)`);
  }
  const command = words[0] === 'tour' ? 'tour' : 'serve';
  const port =
    values.port !== undefined ? parsePort(values.port, '--port') : env.PORT ? parsePort(env.PORT, 'PORT') : undefined;
  return {
    command,
    json: values.json ?? false,
    ...(port === undefined ? {} : { port }),
    ...(values.config === undefined ? {} : { configPath: values.config }),
  };
}
