import { randomUUID } from 'node:crypto';
import { InvalidConfigError } from '@switchyard/contract';
import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';

/** What the gateway logs about one request: no prompt, no completion, no header, no key. */
export interface RequestLogEntry {
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  target?: string;
  locality?: string;
  ttftMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** The target reported no usage: the tokens and cost are the router's estimate. */
  usageEstimated?: boolean;
  /** The name of the API key the request presented (from `keys`), never the key itself. */
  apiKey?: string;
  /** The client went away before the answer was complete. */
  clientClosed?: boolean;
  traceId?: string;
}

/**
 * Where the gateway's request log goes: anything with pino's `info(object, message)` (a pino `Logger` is one). One
 * call per request, after its last byte.
 */
export interface GatewayLogger {
  info(entry: RequestLogEntry, message: string): void;
}

/** The log formats of `switchyard serve --log-format`. */
export type LogFormat = 'text' | 'json';

/**
 * Paths pino replaces with `[redacted]` should a caller's own log call pass request headers or settings through the
 * same logger: the gateway itself never logs them.
 */
const redactedPaths = [
  'authorization',
  'apiKey',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
];

/**
 * A pino logger for the gateway's JSON request log: one JSON object per line with `level`, `time`, `msg` and the
 * {@link RequestLogEntry} fields, secrets redacted, written to `destination` (default stdout). A destination without
 * `write()` is an `InvalidConfigError` at once.
 *
 * @example
 * ```ts
 * const gateway = createGateway({ router, logger: createJsonLogger(process.stderr) });
 * // {"level":30,"time":1765072800000,"requestId":"5f0c…","method":"POST","path":"/v1/chat/completions","status":200,…,"msg":"request"}
 * ```
 */
export function createJsonLogger(destination?: { write(line: string): unknown }): Logger {
  // pino takes anything here and fails on the first line it writes, inside a request.
  if (destination !== undefined && typeof destination?.write !== 'function') {
    const message = 'expected a stream with write(line), e.g. process.stderr, or nothing for stdout';
    throw new InvalidConfigError({ problems: [{ path: 'destination', message }] });
  }
  const options = { base: null, redact: { paths: redactedPaths, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination as DestinationStream);
}

/** The text format's line: `<id> POST /v1/chat/completions 200 gpu 12ms`. */
export function formatTextLine(entry: RequestLogEntry): string {
  const closed = entry.clientClosed ? ' (client closed)' : '';
  return `${entry.requestId} ${entry.method} ${entry.path} ${entry.status} ${entry.target ?? '-'} ${entry.durationMs.toFixed(0)}ms${closed}`;
}

// Printable ASCII without spaces or quotes, at most 128 characters: UUIDs, ULIDs, AWS and Heroku ids all fit, and a
// log line or header built from it cannot be split or forged.
const requestIdPattern = /^[\w.:+=/@-]{1,128}$/;

/** The caller's `x-request-id` when well-formed, else a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && requestIdPattern.test(header) ? header : randomUUID();
}
