import { readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidRequestError } from '@switchyard/contract';
import type { RoutingMode } from '@switchyard/core';
import type { DemoRuntime } from './create-demo-runtime.js';
import type { DecisionRecord } from './decision-log.js';
import { routingModes } from './demo-policy.js';
import { demoState } from './demo-state.js';
import { parseSignalsPatch } from './parse-signals-patch.js';
import { readThisDevice } from './read-this-device.js';
import { parseChatInput, runChat } from './run-chat.js';

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  runtime: DemoRuntime;
  /** Port to bind; 0 picks a free one. Default: 5173, or the next free port up to 5192. */
  port?: number;
  /** Default 127.0.0.1: the demo is for the person at this machine. */
  host?: string;
  /** Where `index.html`, `styles.css` and the bundled `app.js` are. Default: `web/` beside the built server. */
  assetsDir?: string;
  /** Receives one line per chat request: where it ran and why (never the prompt). */
  log?: (line: string) => void;
}

/** The running web app. */
export interface DemoServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const defaultPort = 5173;
const portsToTry = 20;
const bodyLimit = 256 * 1024;

const assetTypes: Record<string, string> = {
  '/': 'text/html; charset=utf-8',
  '/index.html': 'text/html; charset=utf-8',
  '/app.js': 'text/javascript; charset=utf-8',
  '/styles.css': 'text/css; charset=utf-8',
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > bodyLimit) throw new HttpProblem(413, `request body is larger than ${bodyLimit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'request body is not valid JSON');
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Starts the demo's web app on loopback: the page and its assets, `GET /api/state`, `GET /api/trace` (the last
 * request's OpenTelemetry spans, for the waterfall), `POST /api/chat` (the router's
 * stream as Server-Sent Events), `POST /api/signals` (and `/api/signals/this-device`), `POST /api/policy` and
 * `POST /api/remote/break`.
 */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const { runtime } = options;
  const assetsDir = options.assetsDir ?? fileURLToPath(new URL('./web/', import.meta.url));
  const openStreams = new Set<AbortController>();

  async function serveAsset(path: string, response: ServerResponse): Promise<void> {
    const file = path === '/' ? 'index.html' : path.slice(1);
    let body: Buffer;
    try {
      body = await readFile(join(assetsDir, file));
    } catch {
      sendJson(response, 500, {
        error: { message: `missing ${file} in ${assetsDir}: run \`pnpm --filter @switchyard/demo build\` first` },
      });
      return;
    }
    response.writeHead(200, { 'content-type': assetTypes[path]!, 'cache-control': 'no-cache' });
    response.end(body);
  }

  async function chat(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const input = parseChatInput(await readJson(request));
    const controller = new AbortController();
    openStreams.add(controller);
    // The reader went away (tab closed, stop pressed): cancel the attempt in flight and free the device's queue.
    response.on('close', () => controller.abort());
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    try {
      for await (const event of runChat(runtime, input, controller.signal)) {
        if (event.type === 'record') options.log?.(describeRecord(event.record));
        if (response.destroyed) break;
        response.write(`data: ${JSON.stringify(event)}\n\n`);
      }
    } finally {
      openStreams.delete(controller);
      response.end();
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://demo').pathname;
    const method = request.method ?? 'GET';
    if (method === 'GET' && path in assetTypes) return serveAsset(path, response);
    if (method === 'GET' && path === '/api/state') return sendJson(response, 200, demoState(runtime));
    if (method === 'GET' && path === '/api/trace') {
      return sendJson(response, 200, runtime.traces.lastTrace() ?? { traceId: null, durationMs: 0, spans: [] });
    }
    if (method === 'POST' && path === '/api/chat') return chat(request, response);
    if (method === 'POST' && path === '/api/signals') {
      runtime.setSignals(parseSignalsPatch(await readJson(request)));
      return sendJson(response, 200, demoState(runtime));
    }
    if (method === 'POST' && path === '/api/signals/this-device') {
      const reading = await readThisDevice();
      runtime.setSignals(reading.patch);
      return sendJson(response, 200, { ...demoState(runtime), deviceReading: reading.summary });
    }
    if (method === 'POST' && path === '/api/policy') {
      const body = (await readJson(request)) as { mode?: unknown };
      if (!routingModes.includes(body?.mode as RoutingMode)) {
        throw new InvalidRequestError({
          problems: [{ path: 'mode', message: `expected one of ${routingModes.join(', ')}` }],
        });
      }
      runtime.setMode(body.mode as RoutingMode);
      return sendJson(response, 200, demoState(runtime));
    }
    if (method === 'POST' && path === '/api/remote/break') {
      if (!runtime.remoteStandIn) {
        throw new HttpProblem(409, "the remote is a real endpoint, not the demo's stand-in: there is no fault switch");
      }
      runtime.remoteStandIn.breakNextRequest();
      return sendJson(response, 200, demoState(runtime));
    }
    throw new HttpProblem(404, `${method} ${path} is not part of the demo (see GET /api/state)`);
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const status = error instanceof HttpProblem ? error.status : InvalidRequestError.isInstance(error) ? 400 : 500;
      sendJson(response, status, { error: { message: error instanceof Error ? error.message : String(error) } });
    });
  });

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, host, options.port);
  const url = `http://${host}:${port}/`;
  return {
    url,
    server,
    async close() {
      for (const controller of openStreams) controller.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() waits for every connection to end; a browser keeps idle keep-alive connections open.
      server.closeAllConnections();
      await closed;
    },
  };
}

function describeRecord(record: DecisionRecord): string {
  const excluded = record.excluded.map((entry) => `${entry.target} ✗ ${entry.reason}`).join(', ');
  const where = record.target === null ? 'no eligible target' : `${record.target} (${record.locality})`;
  const timing = record.ttftMs === undefined ? '' : ` TTFT ${Math.round(record.ttftMs)} ms`;
  const fallbacks = record.fallbacks > 0 ? ` after ${record.fallbacks} fallback(s)` : '';
  return `  #${record.id} → ${where}${timing}${fallbacks}${excluded ? `  [${excluded}]` : ''}`;
}

/** Listens on `port`, or (when none is given) on 5173 or the next free port. */
async function listen(server: Server, host: string, port: number | undefined): Promise<number> {
  const candidates =
    port === undefined ? Array.from({ length: portsToTry }, (_, index) => defaultPort + index) : [port];
  for (const candidate of candidates) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => {
          server.off('listening', onListening);
          reject(error);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(candidate, host);
      });
      return (server.address() as AddressInfo).port;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'EADDRINUSE' || candidate === candidates.at(-1)) {
        throw new Error(
          code === 'EADDRINUSE'
            ? `port ${candidate} is in use: pass --port <n> (or PORT=<n>), or --port 0 for any free port`
            : `cannot listen on ${host}:${candidate}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }
  throw new Error('unreachable: no port candidates');
}
