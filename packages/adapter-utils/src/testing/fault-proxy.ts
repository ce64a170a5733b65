import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TargetFault, TargetFaultDriver } from '@switchyard/contract/testing';
import { closedPortURL } from './closed-port-url.js';

/**
 * What the proxy does to one request: every fault of the contract's fault suite (`TargetFault` from
 * `@switchyard/contract/testing`, whose `status` fault here also takes the answer's `body` and `contentType`), plus
 * faults the suite does not use (a slow first byte, malformed SSE, a dropped `[DONE]`, a clean end after N events).
 * Faults that act on events count Server-Sent Events (blocks ended by a blank line) or NDJSON lines
 * (`application/x-ndjson`); any other response body counts as one event.
 *
 * Built from the contract's union, so a fault the contract adds is a compile error here (the proxy's handler is
 * exhaustive) until the proxy implements it.
 */
export type Fault =
  | Exclude<TargetFault, { type: 'status' }>
  /** Answer with this status without contacting the upstream. `retryAfter` becomes the `Retry-After` header. */
  | (Extract<TargetFault, { type: 'status' }> & {
      /** The answer's body. Default: `{"error":{"message":"injected <status>","type":"fault"}}`. */
      body?: string;
      /** The answer's `content-type`. Default `application/json`. */
      contentType?: string;
    })
  /** Wait this long before sending anything back (forwarding happens after the wait). */
  | { type: 'delay-first-byte'; ms: number }
  /** Forward the first `afterEvents` events (default 1), then send an event whose data is not JSON and end. */
  | { type: 'malformed-sse'; afterEvents?: number; data?: string }
  /** Forward everything except the `data: [DONE]` terminator, then end the response cleanly. */
  | { type: 'drop-done' }
  /** Forward the first `events` events, then end the response cleanly (a truncated but well-formed stream). */
  | { type: 'end-after-events'; events: number };

/** One request the proxy received, with every byte of it. */
export interface ProxiedRequest {
  /** The request method (`POST`). */
  method: string;
  /** Path and query, as sent (`/v1/chat/completions`). */
  path: string;
  /** Header names and values exactly as received, in order. */
  rawHeaders: string[];
  /** The request body. */
  body: Buffer;
  /** The request line, headers and body as one HTTP/1.1 message: what a sniffing upstream would have seen. */
  raw: Buffer;
  /** The fault applied to this request, or `null` when it was passed through. */
  fault: Fault | null;
}

/** Options for {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where requests are forwarded, e.g. `http://127.0.0.1:8080`. Only the origin is used; paths pass through. */
  upstream: string;
  /** The fault applied to every request that the queue does not cover. Defaults to none. */
  fault?: Fault | null;
}

/**
 * A running fault-injecting proxy. A `TargetFaultDriver` (declared as one, so a member the contract's fault suite adds
 * or changes is a compile error here): pass it to `runTargetFaultConformance({ faults: () => proxy, … })`.
 */
export interface FaultProxy extends TargetFaultDriver {
  /** The proxy's origin, e.g. `http://127.0.0.1:41234`; append the upstream's path (`/v1`). */
  readonly url: string;
  /** The proxy's loopback port. */
  readonly port: number;
  /** Sets the fault for every later request not covered by the queue; `null` passes requests through. */
  setFault(fault: Fault | null): void;
  /** Queues one fault per upcoming request (in order); `null` entries pass that request through. */
  queueFaults(...faults: (Fault | null)[]): void;
  /** Every request received so far, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Every byte received so far, all requests concatenated (for privacy tests: `received().includes(secret)`). */
  received(): Buffer;
  /** Forgets the recorded requests. */
  clearRequests(): void;
  /** Connections currently open from clients; 0 after the client closed or released them. */
  openConnections(): number;
  /**
   * Responses begun and not yet ended or closed: requests the proxy is still answering, or holding open under a hang
   * or stall fault, until the client goes away. Idle kept-alive connections do not count.
   */
  openResponses(): number;
  /** The origin of a loopback port nothing listens on (bound, then closed): connections to it are refused. */
  closedURL(): Promise<string>;
  /** Stops listening and destroys every open connection, including hung ones. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP proxy on a free loopback port that forwards to `upstream` and injects faults on request: resets
 * (before the first byte or after N events), truncated and oversized frames, slow first byte, 5xx / 429 with `Retry-After`, hangs (before the first byte or after N
 * events), malformed SSE, a dropped `[DONE]`.
 * The fault is a value you can change between requests, or a queue with one fault per request. It records every
 * byte it receives, so it doubles as a sniffing upstream for privacy tests.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ upstream: server.baseURL });
 * proxy.queueFaults({ type: 'status', status: 429, retryAfter: 2 }, null);
 * const target = createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: 'tiny' });
 * // first call → ApiCallError 429 with retryAfterMs 2000; second call passes through
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = httpUpstream(options.upstream);
  let fault: Fault | null = options.fault ?? null;
  const queue: (Fault | null)[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const responses = new Set<ServerResponse>();
  const agent = new Agent({ keepAlive: true });

  const server: Server = createServer((req, res) => {
    responses.add(res);
    res.on('close', () => responses.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const applied = queue.length > 0 ? (queue.shift() ?? null) : fault;
      requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body,
        raw: rawMessage(req, body),
        fault: applied,
      });
      handle(req, res, body, applied);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer, applied: Fault | null): void {
    if (applied === null) {
      forward(req, res, body, applied);
      return;
    }
    switch (applied.type) {
      case 'hang':
        return;
      case 'reset-before-first-byte':
        req.socket.resetAndDestroy();
        return;
      case 'status': {
        const headers: Record<string, string> = { 'content-type': applied.contentType ?? 'application/json' };
        if (applied.retryAfter !== undefined) headers['retry-after'] = String(applied.retryAfter);
        const text =
          applied.body ?? JSON.stringify({ error: { message: `injected ${applied.status}`, type: 'fault' } });
        res.writeHead(applied.status, headers).end(text);
        return;
      }
      case 'delay-first-byte': {
        const timer = setTimeout(() => forward(req, res, body, applied), applied.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      // Faults that act on the upstream's answer, event by event (in `relay`).
      case 'reset-after-events':
      case 'truncate-after-events':
      case 'oversized-event':
      case 'hang-after-events':
      case 'malformed-sse':
      case 'drop-done':
      case 'end-after-events':
        forward(req, res, body, applied);
        return;
      default: {
        // A fault type without a case (one the contract added) fails to compile here; from plain JavaScript, an
        // unknown type is answered, not thrown, so the proxy keeps serving.
        const unhandled: never = applied;
        const text = `fault proxy: unknown fault type ${JSON.stringify((unhandled as { type: unknown }).type)}`;
        res.writeHead(500, { 'content-type': 'text/plain' }).end(text);
      }
    }
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, applied: Fault | null, retry = true): void {
    if (res.destroyed) return;
    const headers = { ...req.headers, host: upstream.host };
    const upstreamRequest = httpRequest(
      { agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upstreamResponse) => relay(upstreamResponse, res, applied),
    );
    upstreamRequest.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the upstream closed while idle fails on reuse before any response: not an injected
      // fault, so send the request again once on a fresh socket instead of answering 502.
      if (retry && upstreamRequest.reusedSocket && error.code === 'ECONNRESET' && !res.headersSent) {
        forward(req, res, body, applied, false);
        return;
      }
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('fault proxy: upstream failed');
      else res.destroy();
    });
    // The client went away: stop the upstream work too, as a real gateway would.
    res.on('close', () => {
      if (!res.writableFinished) upstreamRequest.destroy();
    });
    upstreamRequest.end(body);
  }

  function relay(upstreamResponse: IncomingMessage, res: ServerResponse, applied: Fault | null): void {
    const transforms = applied !== null && applied.type !== 'delay-first-byte';
    const headers = { ...upstreamResponse.headers };
    if (transforms) {
      delete headers['content-length'];
      delete headers['transfer-encoding'];
    }
    res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, headers);
    if (!transforms) {
      upstreamResponse.pipe(res);
      return;
    }
    const contentType = String(upstreamResponse.headers['content-type'] ?? '');
    const isSse = contentType.includes('text/event-stream');
    const isNdjson = contentType.includes('ndjson');
    const findEnd = isSse ? findEventEnd : findLineEnd;
    let buffered = '';
    let forwarded = 0;
    let finished = false;
    const finish = (how: 'end' | 'reset'): void => {
      if (finished) return;
      finished = true;
      upstreamResponse.destroy();
      if (how === 'end') {
        res.end();
        return;
      }
      // An RST discards bytes the client has not read yet, so let the forwarded events reach it first.
      const socket = res.socket;
      res.write('', () => {
        setTimeout(() => {
          if (socket && !socket.destroyed) socket.resetAndDestroy();
        }, 25);
      });
    };
    // Returns false once the fault has ended the response.
    const onEvent = (event: string): boolean => {
      if (applied?.type === 'drop-done' && /^data: ?\[DONE\]\s*$/m.test(event)) return true;
      if (applied?.type === 'reset-after-events' && forwarded >= applied.events) {
        finish('reset');
        return false;
      }
      if (applied?.type === 'end-after-events' && forwarded >= applied.events) {
        finish('end');
        return false;
      }
      if (applied?.type === 'hang-after-events' && forwarded >= applied.events) {
        // Stop reading the upstream but leave the client's response open: only the client or close() ends it.
        finished = true;
        upstreamResponse.destroy();
        return false;
      }
      if (applied?.type === 'truncate-after-events' && forwarded >= applied.events) {
        res.write(event.slice(0, Math.ceil((event.trimEnd().length * 2) / 3)));
        finish('end');
        return false;
      }
      if (applied?.type === 'oversized-event' && forwarded >= applied.events) {
        finished = true;
        upstreamResponse.destroy();
        writeOversized(res, isSse ? 'data: {"pad":"' : '{"pad":"', applied.bytes);
        return false;
      }
      if (applied?.type === 'malformed-sse' && forwarded >= (applied.afterEvents ?? 1)) {
        res.write(`data: ${applied.data ?? '{"choices":[{"delta":{"content":"unterminated'}\n\n`);
        finish('end');
        return false;
      }
      res.write(event);
      forwarded += 1;
      return true;
    };
    upstreamResponse.setEncoding('utf8');
    upstreamResponse.on('data', (chunk: string) => {
      if (finished) return;
      if (!isSse && !isNdjson) {
        buffered += chunk;
        return;
      }
      buffered += chunk;
      let boundary = findEnd(buffered);
      while (boundary !== -1) {
        const event = buffered.slice(0, boundary);
        buffered = buffered.slice(boundary);
        if (!onEvent(event)) return;
        boundary = findEnd(buffered);
      }
    });
    upstreamResponse.on('end', () => {
      if (finished) return;
      if (buffered !== '' && !onEvent(buffered)) return;
      // Faults whose trigger was never reached still apply at the end of the body.
      if (applied?.type === 'hang-after-events') return;
      if (applied?.type === 'reset-after-events') finish('reset');
      else finish('end');
    });
    upstreamResponse.on('error', () => finish('reset'));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setFault(next) {
      fault = next;
    },
    queueFaults(...faults) {
      queue.push(...faults);
    },
    requests,
    received: () => Buffer.concat(requests.map((entry) => entry.raw)),
    clearRequests() {
      requests.length = 0;
    },
    openConnections: () => sockets.size,
    openResponses: () => responses.size,
    closedURL: closedPortURL,
    async close() {
      queue.length = 0;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}

/** The upstream as a URL, or a TypeError naming the option and the fix. */
function httpUpstream(upstream: string): URL {
  const url = URL.canParse(upstream) ? new URL(upstream) : undefined;
  if (url?.protocol === 'http:') return url;
  // The value itself is left out: a URL may carry credentials.
  const got = url ? `a ${url.protocol} URL` : 'no URL';
  throw new TypeError(
    `startFaultProxy: upstream: expected an http: URL of the server to forward to, like http://127.0.0.1:8080 (the proxy speaks plain HTTP only), got ${got}`,
  );
}

/** Writes `prefix` and then filler up to `bytes` in 64 KiB writes, each after the client drained the last. */
function writeOversized(res: ServerResponse, prefix: string, bytes: number): void {
  const block = Buffer.alloc(64 * 1024, 'x');
  let left = bytes - prefix.length;
  res.write(prefix);
  const next = (): void => {
    while (left > 0 && !res.destroyed) {
      const size = Math.min(left, block.length);
      left -= size;
      if (!res.write(block.subarray(0, size))) {
        res.once('drain', next);
        return;
      }
    }
  };
  next();
}

/** Index just past the newline that ends the first NDJSON line in `text`, or -1. */
function findLineEnd(text: string): number {
  const index = text.indexOf('\n');
  return index === -1 ? -1 : index + 1;
}

/** Index just past the blank line that ends the first SSE event in `text`, or -1. */
function findEventEnd(text: string): number {
  const match = /\r?\n\r?\n/.exec(text);
  return match ? match.index + match[0].length : -1;
}

function rawMessage(req: IncomingMessage, body: Buffer): Buffer {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    head += `${req.rawHeaders[index]}: ${req.rawHeaders[index + 1]}\r\n`;
  }
  return Buffer.concat([Buffer.from(`${head}\r\n`), body]);
}
