/**
 * Where the target's warnings and errors go: llama.cpp's own lines from wllama's worker (about two warnings per
 * request at the level this adapter sets) and wllama's. `console` is one, and so is a pino `Logger`; pass
 * `{ warn() {}, error() {} }` to drop them. Each message is one string.
 */
export interface WllamaLogger {
  warn(message: string): void;
  error(message: string): void;
}

/** What wllama's constructor takes as `logger`: console's four methods, with any arguments. */
export interface EngineLogger {
  debug(...args: unknown[]): void;
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const drop = () => {};

/**
 * wllama's logger for the `logger` setting: debug and info lines dropped (llama.cpp posts none per request at this
 * adapter's level; wllama's own are about loading), warnings and errors to `logger` as one string each. Without a
 * `logger`, to `console` with wllama's arguments unchanged, so the browser's console shows them as it always did.
 */
export function engineLogger(logger: WllamaLogger | undefined): EngineLogger {
  if (logger === undefined) {
    return {
      debug: drop,
      log: drop,
      warn: (...args) => console.warn(...args),
      error: (...args) => console.error(...args),
    };
  }
  // Called as methods of `logger` (wllama also passes `error` on as the worker's `onerror`, unbound).
  return {
    debug: drop,
    log: drop,
    warn: (...args) => logger.warn(messageOf(args)),
    error: (...args) => logger.error(messageOf(args)),
  };
}

/** wllama's arguments as one line: strings as they are, errors and events by their message, the rest as JSON. */
function messageOf(args: readonly unknown[]): string {
  return args.map(textOf).join(' ');
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  // The worker's ErrorEvent, and wllama's error objects, carry a message.
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
