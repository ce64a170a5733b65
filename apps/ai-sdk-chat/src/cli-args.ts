import { parseArgs } from 'node:util';

/** What `pnpm ai-sdk-chat [--port <n>]` asked for. */
export interface ChatArgs {
  help: boolean;
  /** `--port`, else `PORT`; undefined means 5174. */
  port?: number;
}

export const usage = `Usage:
  pnpm ai-sdk-chat [--port <n>]      start the chat's server and print its URL

Environment:
  PORT                               the server's port (default 5174; 0 picks a free one)
  SWITCHYARD_LOCAL_MODEL             a GGUF model for the on-device target (default: a generated tiny model)
  SWITCHYARD_REMOTE_URL              an OpenAI-compatible endpoint for the remote target (default: a loopback stand-in)
  SWITCHYARD_REMOTE_MODEL            the model that endpoint serves
  SWITCHYARD_REMOTE_API_KEY          its API key (optional)`;

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${source}: expected a port number from 0 to 65535 (0 picks a free one), got "${value}"`);
  }
  return port;
}

/**
 * Parses the command line before anything starts, so a typo costs no model load; throws an Error whose message names
 * the flag or variable and the fix (an unknown flag used to be ignored, and `PORT=abc` failed after the targets
 * had started, in Node's words).
 */
export function parseChatArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ChatArgs {
  const { values, positionals } = parseArgs({
    // `pnpm ai-sdk-chat -- --port 0` passes the separator through; here it separates nothing.
    args: argv.filter((word) => word !== '--'),
    allowPositionals: true,
    strict: false,
    options: {
      port: { type: 'string', short: 'p' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return { help: true };
  const unknown = [
    ...Object.keys(values)
      .filter((name) => name !== 'port' && name !== 'help')
      .map((name) => `--${name}`),
    ...positionals,
  ];
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}: see --help`);
  if (values.port !== undefined && typeof values.port !== 'string')
    throw new Error('--port: give a number, e.g. --port 0');
  const port =
    values.port !== undefined ? parsePort(values.port, '--port') : env.PORT ? parsePort(env.PORT, 'PORT') : undefined;
  return { help: false, ...(port === undefined ? {} : { port }) };
}
