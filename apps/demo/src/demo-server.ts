import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { InvalidRequestError } from '@switchyard/contract';
import type { DemoRuntime } from './create-demo-runtime.js';
import type { DecisionRecord } from './decision-log.js';
import { HttpProblem, handleDemoApi } from './demo-api.js';
import { inBrowserPath, pageModelFile, pageModelPath, pageSetup, pageWasmPath, remoteProxyPath } from './page-setup.js';
import { proxyRequest } from './proxy-request.js';
import { parseChatInput, runChat } from './run-chat.js';

/** wllama's WebAssembly build, which "in this browser" mode loads (the package ships it). */
function wllamaWasmFile(): string {
  return createRequire(import.meta.url).resolve('@wllama/wllama/esm/wasm/wllama.wasm');
}

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

/** The page's files by path: the same page serves both modes ("/in-browser" runs the router in the tab). */
const assets: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  [inBrowserPath]: { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/page-runtime.js': { file: 'page-runtime.js', type: 'text/javascript; charset=utf-8' },
  '/styles.css': { file: 'styles.css', type: 'text/css; charset=utf-8' },
};

/**
 * Sent with every response. Cross-origin isolation (COOP + COEP) gives the page `SharedArrayBuffer`, so wllama runs
 * multi-threaded in "in this browser" mode; everything the page loads is same-origin, so nothing else changes.
 */
const isolationHeaders = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

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
 * `POST /api/remote/break`. For "in this browser" mode (`/in-browser`, the router runs in the tab) it also serves
 * `GET /api/page-setup`, the on-device model and wllama's WebAssembly, and proxies `/remote/v1/*` to the GPU
 * stand-in.
 */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const { runtime } = options;
  const assetsDir = options.assetsDir ?? fileURLToPath(new URL('./web/', import.meta.url));
  const openStreams = new Set<AbortController>();

  async function serveAsset(path: string, response: ServerResponse): Promise<void> {
    const { file, type } = assets[path]!;
    let body: Buffer;
    try {
      body = await readFile(join(assetsDir, file));
    } catch {
      sendJson(response, 500, {
        error: { message: `missing ${file} in ${assetsDir}: run \`pnpm --filter @switchyard/demo build\` first` },
      });
      return;
    }
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    response.end(body);
  }

  /** The files "in this browser" mode downloads: the on-device model and wllama's WebAssembly. */
  async function servePageFile(path: string, response: ServerResponse, headOnly: boolean): Promise<void> {
    const file = path === pageModelPath ? pageModelFile(runtime) : wllamaWasmFile();
    if (file === undefined) {
      throw new HttpProblem(404, "the demo's local target is not a GGUF file this page can run with wllama");
    }
    const size = (await stat(file)).size;
    response.writeHead(200, {
      'content-type': path === pageWasmPath ? 'application/wasm' : 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-cache',
    });
    if (headOnly) response.end();
    else await pipeline(createReadStream(file), response);
  }

  function proxyRemote(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const standIn = runtime.remoteStandIn;
    if (!standIn) throw new HttpProblem(404, 'the remote is a real endpoint: it is not proxied to the page');
    const search = new URL(request.url ?? '/', 'http://demo').search;
    return proxyRequest(request, response, new URL(`${standIn.baseURL}${path.slice(remoteProxyPath.length)}${search}`));
  }

  /**
   * The page's reachability probe: `@switchyard/signals-browser` sends a `no-cors` HEAD to the remote's base URL
   * every 15 s. Neither this proxy nor the stand-in's gateway serves `/v1` itself, and the 404 showed in the page's
   * console every time. Answered here, not passed through: a probe through the stand-in's fault proxy could take the
   * "break the remote" fault meant for the next chat request, and the stand-in is a loopback process beside this
   * server, reachable whenever the page reaches this server.
   */
  function answerReachability(response: ServerResponse): void {
    if (!runtime.remoteStandIn)
      throw new HttpProblem(404, 'the remote is a real endpoint: it is not proxied to the page');
    response.writeHead(204, { 'cache-control': 'no-store' });
    response.end();
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
    if (method === 'GET' && path in assets) return serveAsset(path, response);
    if (method === 'GET' && path === '/api/page-setup') return sendJson(response, 200, pageSetup(runtime));
    if (path.startsWith(`${remoteProxyPath}/`)) return proxyRemote(request, response, path);
    if ((method === 'HEAD' || method === 'GET') && path === remoteProxyPath) return answerReachability(response);
    if ((method === 'GET' || method === 'HEAD') && (path === pageModelPath || path === pageWasmPath)) {
      return servePageFile(path, response, method === 'HEAD');
    }
    if (method === 'POST' && path === '/api/chat') return chat(request, response);
    const body = method === 'POST' ? await readJson(request) : undefined;
    return sendJson(response, 200, await handleDemoApi(runtime, method, path, body));
  }

  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(isolationHeaders)) response.setHeader(name, value);
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
