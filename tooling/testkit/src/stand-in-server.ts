import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a stand-in received. */
export interface StandInRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** The JSON body, `{}` when there is none. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

/** Answers one request; `response` is Node's, so a handler can stream, hang or cut it as its protocol needs. */
export type StandInHandler = (request: StandInRequest, response: ServerResponse) => unknown;

/** Options of {@link startStandInServer}. */
export interface StandInServerOptions {
  /** The loopback port to listen on (to bring a server "up" where a client already looks). Default: a free one. */
  port?: number;
  /** The content type of the harness's own 400 answer. Default `application/json`. */
  jsonContentType?: string;
}

/** A running stand-in server. */
export interface StandInServer {
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order: path, JSON body and headers. */
  readonly requests: Omit<StandInRequest, 'method'>[];
  /** Stops listening and destroys every open connection, including hung ones. */
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      try {
        resolve(text === '' ? {} : (JSON.parse(text) as Record<string, unknown>));
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

/** Sends `body` as JSON (an empty body for `undefined`) with `status`; `headers` may replace the content type. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

/**
 * The HTTP part of a protocol-faithful stand-in (a loopback server written from a product's public API docs, for a
 * server that cannot run in tests): listens on 127.0.0.1, reads each request's JSON body, records it and hands it to
 * `handle`. A body that is not JSON, or a handler that throws, gets a 400 `{ "error": "..." }` (or, once the answer
 * has begun, a destroyed connection).
 *
 * @example
 * ```ts
 * const standIn = await startStandInServer((request, response) =>
 *   request.path === '/api/version' ? sendJson(response, 200, { version: '0.5.1' }) : sendJson(response, 404, {}),
 * );
 * ```
 */
export async function startStandInServer(
  handle: StandInHandler,
  options: StandInServerOptions = {},
): Promise<StandInServer> {
  const requests: StandInServer['requests'] = [];
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    readBody(request)
      .then(async (body) => {
        requests.push({ path, body, headers: request.headers });
        await handle({ method: request.method ?? 'GET', path, body, headers: request.headers }, response);
      })
      .catch((error: unknown) => {
        if (!response.headersSent) {
          sendJson(
            response,
            400,
            { error: String(error) },
            { 'content-type': options.jsonContentType ?? 'application/json' },
          );
        } else response.destroy();
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
