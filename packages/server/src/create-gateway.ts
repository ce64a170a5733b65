import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TracerProvider } from '@opentelemetry/api';
import type { FinishReason, GenerateRequest, StateStore, ToolCall, Usage } from '@switchyard/contract';
import { InvalidRequestError } from '@switchyard/contract';
import type { RouteOptions, Router, RouteSummary } from '@switchyard/core';
import { createMemoryStateStore } from '@switchyard/core';
import type { ApiKey } from './api-key-limits.js';
import { ApiKeyLimiter, matchApiKey, prepareApiKeys } from './api-key-limits.js';
import { checkGatewayOptions } from './check-gateway-options.js';
import { bodyText, bodyTooLarge, contentTypeError, decodeRequestBody, invalidJson } from './decode-request-body.js';
import { EventStreamWriter } from './event-stream-writer.js';
import type { GatewayLogger, RequestLogEntry } from './gateway-logger.js';
import { formatTextLine, requestIdOf } from './gateway-logger.js';
import type { PrometheusRegistry } from './gateway-metrics.js';
import { createPrometheusRegistry, GatewayMetrics, knownRoutes } from './gateway-metrics.js';
import type { ServerTrace } from './gateway-tracing.js';
import { endServerTrace, gatewayTracer, startServerTrace } from './gateway-tracing.js';
import { HostPolicy } from './host-policy.js';
import type { HttpError } from './http-errors.js';
import { httpError, toHttpError } from './http-errors.js';
import { autoModel, parseChatCompletionBody } from './openai-request.js';
import { createCompletionId, toOpenAIFinishReason, toOpenAIToolCall, toOpenAIUsage } from './openai-response.js';
import { OriginPolicy } from './origin-policy.js';
import { resolveModel } from './resolve-model.js';
import { toRouteField } from './route-field.js';
import { routeNotFound } from './route-not-found.js';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** The router every request goes through. The gateway does not dispose it. */
  router: Router;
  /**
   * When set, `/v1/*` and `/metrics` require `Authorization: Bearer <authToken>`; `/health` stays open. The token is
   * compared in constant time and never logged or echoed.
   */
  authToken?: string;
  /**
   * API keys the gateway accepts (as well as `authToken`), each by its SHA-256 digest (`hashApiKey`), with optional
   * limits: requests and tokens per minute, dollars per UTC day; over a limit the answer is 429 with `Retry-After`.
   * A wrong key is 401; the presented key is compared with every stored digest in constant time.
   *
   * @example
   * ```ts
   * createGateway({ router, keys: [{ name: 'team-a', sha256: hashApiKey(process.env.TEAM_A_KEY!), limits: { requestsPerMinute: 60 } }] });
   * ```
   */
  keys?: ApiKey[];
  /**
   * Where per-key limits are counted. Pass the router's store (for example `@switchyard/store-redis`) so replicas
   * enforce one limit together. Default: a new in-memory store (this process only).
   */
  store?: StateStore;
  /**
   * `GET /metrics` in the Prometheus text format (through OpenTelemetry's Prometheus exporter): requests by status,
   * latency and time-to-first-token histograms, tokens, spend, circuit state, in-flight calls and queue depth per
   * target. Default `true`, behind `authToken` like the API; `{ public: true }` serves it without auth (for a
   * scraper on a private network); `false` turns it off (404). `{ registry }` records into a
   * {@link PrometheusRegistry} the router shares (its GenAI metrics then show up too); the gateway does not shut a
   * given registry down.
   */
  metrics?: boolean | { public?: boolean; registry?: PrometheusRegistry };
  /**
   * Structured request log: one `info` call per request with a {@link RequestLogEntry} (request id, method, path,
   * status, target, duration, tokens, trace id; never prompts, headers or keys). `createJsonLogger()` gives a pino
   * logger that writes it as JSON lines.
   */
  logger?: GatewayLogger;
  /**
   * The SERVER spans of `/v1/*` requests (children of an incoming `traceparent`; the router's request span becomes
   * their child). Default: the globally registered tracer provider, a no-op when none is.
   */
  tracerProvider?: TracerProvider;
  /**
   * Web origins whose pages may call the gateway from a browser, as exact origins (`https://app.example.com`,
   * `http://localhost:5173`: scheme, host, port when not the default; no path) or `'*'` for every origin. A request
   * with an `Origin` header that is neither listed nor the gateway's own (its host and port equal the `Host` header;
   * on a loopback connection only for `localhost`, `*.localhost`, an IP address or a name in `allowedHosts`, since a
   * DNS-rebound name matches too) gets 403 with `code: origin_not_allowed`, before auth and before any target runs: otherwise a page on any site
   * could make a "simple" cross-origin POST that the browser sends without asking, spending the user's budget and
   * device even though it cannot read the answer. Listed origins get CORS answers: `Access-Control-Allow-Origin`
   * (the origin, with `Vary: Origin`) and preflight `OPTIONS` answered 204 (GET and POST; the requested headers,
   * `Authorization` and `Content-Type` included; cached 10 min). Requests without `Origin` (servers, CLIs, SDKs on
   * Node) are not affected. Default: none (same-origin pages only).
   *
   * @example
   * ```ts
   * createGateway({ router, authToken, allowedOrigins: ['https://app.example.com'] });
   * // in the page: new OpenAI({ baseURL: 'http://127.0.0.1:8787/v1', apiKey, dangerouslyAllowBrowser: true })
   * ```
   */
  allowedOrigins?: readonly string[];
  /**
   * Host names, besides `localhost`, `*.localhost` and IP addresses, under which the gateway answers on a loopback
   * connection (the `Host` header, any port): exact names, case-insensitive (`gateway.test`), or a leading dot for a
   * name and all its subdomains (`.example.com`, as in Vite's `server.allowedHosts`); `'*'` switches the check off.
   * Any other `Host` on a loopback connection gets 403 with `code: host_not_allowed`, for every method and path,
   * before auth and before any target runs: otherwise a web site that re-points its own name at 127.0.0.1 (DNS
   * rebinding) is same-origin with the gateway, sends no `Origin` on a GET, and reads `/v1/models`, `/health` and a
   * public `/metrics`. List the names a local reverse proxy passes through (Caddy keeps the client's `Host`) or a local
   * alias in `/etc/hosts`; a page served under a listed name also counts as the gateway's own origin. Connections to a
   * non-loopback address (a gateway on `0.0.0.0` reached over the LAN, in a container) are not checked: their names
   * are not this process's to know, and there `authToken` or `keys` guard it. A request without `Host` (HTTP/1.0)
   * passes: browsers always send one. Default: none (`localhost`, `*.localhost` and IP addresses only).
   *
   * @example
   * ```ts
   * createGateway({ router, allowedHosts: ['gateway.test'] }); // http://gateway.test:8787 (an /etc/hosts alias)
   * ```
   */
  allowedHosts?: readonly string[];
  /** Largest accepted request body in bytes; larger bodies get 413. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Receives one text line per request (request id, method, path, status, target, duration); never prompts or keys. */
  log?: (line: string) => void;
  /**
   * A client must send its request headers within this many ms of connecting (or of the previous request on a
   * keep-alive connection), else it gets 408 and its socket is closed. Node's default is 60 s, checked every 30 s, so
   * sockets that never finish their headers (slowloris) were held for 60–90 s; default here 5000, checked every second.
   */
  headersTimeoutMs?: number;
  /** The whole request (headers and body) must arrive within this many ms. Default 30 000. Responses are not limited. */
  requestTimeoutMs?: number;
  /**
   * Open connections allowed per client address; connections over it are closed at once, so one address cannot take
   * every socket while the others are still served. Default 2048: above one backend's connection pool (a service that
   * streams 1,000 requests at once through one keep-alive pool is a normal client), so the default only stops floods;
   * stalled sockets are dropped by `headersTimeoutMs` whatever the cap. Facing the internet directly, lower it (e.g.
   * 64); behind a reverse proxy every client has the proxy's address: pass `Infinity` and cap per client there.
   */
  maxConnectionsPerAddress?: number;
  /** How long `close()` waits for in-flight requests and streams before cutting them off, in ms. Default 10 000. */
  shutdownGraceMs?: number;
}

/** A running (or ready to run) OpenAI-compatible gateway. */
export interface Gateway {
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** `http://host:port` once listening. */
  readonly url: string | undefined;
  /** Starts listening; resolves with the URL. Port 0 picks a free port. Default `127.0.0.1:8787`. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Stops accepting connections, lets in-flight requests and streams finish (up to `graceMs`, default
   * `shutdownGraceMs`), then closes every connection.
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** The request handler, to mount the gateway inside another `node:http` server. */
  handle(request: IncomingMessage, response: ServerResponse): void;
}

const defaultBodyLimit = 1024 * 1024;
const modelPathPrefix = '/v1/models/';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

class BodyTooLargeError extends Error {}

/**
 * The request id a response echoes, kept on the response by `handle` so that each writer below passes it in its one
 * `writeHead` call with the other headers as an array: no `setHeader` per request and no header map built per answer
 * (Node validates each header once either way; in a CPU profile under load the two cost about the same, ~1.5 %).
 */
const requestIdKey: unique symbol = Symbol('switchyard.requestId');
type GatewayResponse = ServerResponse & { [requestIdKey]?: string };

/**
 * Reads a body up to `limit` bytes. A larger body is drained (so the client sees the 413 instead of a reset) up to a
 * hard cap, after which the connection is dropped.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const drainCap = Math.max(limit * 8, 8 * 1024 * 1024);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > drainCap) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > drainCap) request.destroy();
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    // One chunk (an ordinary chat body) is used as it is, not copied.
    request.on('end', () =>
      tooLarge
        ? reject(new BodyTooLargeError())
        : resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)),
    );
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(tooLarge ? new BodyTooLargeError() : new Error('request body was cut off'));
    });
  });
}

/**
 * Creates an OpenAI-compatible HTTP gateway around a router: `POST /v1/chat/completions` (streaming or not, tools,
 * `response_format`), `GET /v1/models` (each target plus `switchyard/auto`), `GET /v1/models/{model}` and
 * `GET /health`. Every answer says where it ran: the `x-switchyard-target` header, and the route in a `switchyard`
 * field of the JSON body or of a stream's finish chunk (the one with `finish_reason`), which OpenAI clients parse past.
 *
 * @example
 * ```ts
 * const { router } = await createRouterFromConfig(await loadConfig('switchyard.config.json'));
 * const gateway = createGateway({ router, authToken: process.env.SWITCHYARD_AUTH_TOKEN });
 * const url = await gateway.listen({ port: 8787 });
 * // new OpenAI({ baseURL: `${url}/v1`, apiKey: process.env.SWITCHYARD_AUTH_TOKEN })
 * ```
 */
export function createGateway(options: GatewayOptions): Gateway {
  checkGatewayOptions(options);
  const { router } = options;
  const bodyLimit = options.bodyLimitBytes ?? defaultBodyLimit;
  const expectedToken = options.authToken ? digest(options.authToken) : undefined;
  const keys = options.keys && options.keys.length > 0 ? prepareApiKeys(options.keys) : undefined;
  const ownLimitStore = keys !== undefined && options.store === undefined;
  const limitStore = keys === undefined ? undefined : (options.store ?? createMemoryStateStore());
  const limiter = limitStore === undefined ? undefined : new ApiKeyLimiter(limitStore);
  // Requests not yet finished (metrics, span and log line included), and who waits for none to be left (close()).
  let running = 0;
  let drained: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Settles when no request is running (`undefined` when none is now); shared by concurrent `close()` calls. */
  function whenDrained(): Promise<void> | undefined {
    if (running === 0) return undefined;
    if (drained === undefined) {
      let resolve = () => {};
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      drained = { promise, resolve };
    }
    return drained.promise;
  }
  let closing = false;
  let url: string | undefined;
  const metricsOption = options.metrics ?? true;
  // Counted from the first line of `handle`, so a scrape sees itself among the requests in flight.
  let active = 0;
  const givenRegistry = typeof metricsOption === 'object' ? metricsOption.registry : undefined;
  const ownRegistry = metricsOption === false || givenRegistry ? undefined : createPrometheusRegistry();
  const registry = givenRegistry ?? ownRegistry;
  const metrics = registry ? new GatewayMetrics(router, () => active, registry) : undefined;
  const metricsPublic = typeof metricsOption === 'object' && metricsOption.public === true;
  const tracer = gatewayTracer(options.tracerProvider);
  const hosts = new HostPolicy(options.allowedHosts);
  const origins = new OriginPolicy(options.allowedOrigins, hosts);

  /** Whether the request may use `/v1/*`, and which API key it presented (when it was one of `keys`). */
  function authorize(request: IncomingMessage): { ok: boolean; key?: ApiKey } {
    if (!expectedToken && !keys) return { ok: true };
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
    const token = match?.[1]?.trim() ?? '';
    // Both sides are SHA-256 digests, so the comparison is equal-length and constant-time whatever was sent.
    const tokenOk = expectedToken !== undefined && timingSafeEqual(digest(token), expectedToken);
    const key = keys ? matchApiKey(token, keys) : undefined;
    if (match === null) return { ok: false };
    return key ? { ok: true, key } : { ok: tokenOk };
  }

  /** A JSON answer; `headers` adds headers other than content-type and content-length (e.g. `connection`, `allow`). */
  function send(response: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) {
    if (response.headersSent || response.destroyed) return;
    const text = JSON.stringify(body);
    const head = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text))];
    const requestId = (response as GatewayResponse)[requestIdKey];
    if (requestId !== undefined) head.push('x-request-id', requestId);
    let connection = false;
    if (headers !== undefined) {
      for (const name in headers) {
        head.push(name, headers[name] as string);
        if (name === 'connection') connection = true;
      }
    }
    if (closing && !connection) head.push('connection', 'close');
    response.writeHead(status, head);
    response.end(text);
  }

  function sendError(response: ServerResponse, error: HttpError) {
    send(response, error.status, error.body, error.headers);
  }

  function health(response: ServerResponse) {
    const stats = safeStats();
    const targets = Object.fromEntries(
      Object.entries(router.targets).map(([name, target]) => [
        name,
        {
          locality: target.locality,
          status: target.status().state,
          ...(stats?.[name] ? { circuit: stats[name].circuit, inFlight: stats[name].inFlight } : {}),
        },
      ]),
    );
    send(response, closing ? 503 : 200, { status: closing ? 'closing' : 'ok', targets });
  }

  function safeStats(): ReturnType<Router['stats']> | undefined {
    try {
      return router.stats();
    } catch {
      return undefined;
    }
  }

  function modelList() {
    return [
      { id: autoModel, object: 'model', created: 0, owned_by: 'switchyard' },
      ...Object.entries(router.targets).map(([name, target]) => ({
        id: name,
        object: 'model',
        created: 0,
        owned_by: 'switchyard',
        switchyard: { target: name, id: target.id, locality: target.locality },
      })),
    ];
  }

  function models(response: ServerResponse) {
    send(response, 200, { object: 'list', data: modelList() });
  }

  /** `GET /v1/models/{model}`: one listed model, as OpenAI's API answers it; clients encode the `/` of `switchyard/auto`. */
  function model(response: ServerResponse, encodedId: string) {
    let id = encodedId;
    try {
      id = decodeURIComponent(encodedId);
    } catch {
      // A malformed escape names no model; the 404 below says which exist.
    }
    const data = modelList();
    const found = data.find((entry) => entry.id === id);
    if (found) return send(response, 200, found);
    const known = data.map((entry) => `"${entry.id}"`).join(', ');
    sendError(
      response,
      httpError(404, `The model "${id}" does not exist; use one of ${known}`, {
        code: 'model_not_found',
        param: 'model',
      }),
    );
  }

  async function chat(request: IncomingMessage, response: ServerResponse, state: RequestState) {
    let body: Buffer;
    try {
      body = await readBody(request, bodyLimit);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendError(response, bodyTooLarge(bodyLimit, '', { connection: 'close' }));
      }
      return;
    }
    const wrongType = contentTypeError(request.headers);
    if (wrongType) {
      sendError(response, wrongType);
      return;
    }
    if (request.headers['content-encoding'] !== undefined) {
      const decoded = await decodeRequestBody(body, request.headers, bodyLimit);
      if (!Buffer.isBuffer(decoded)) {
        sendError(response, decoded);
        return;
      }
      body = decoded;
    }
    const text = bodyText(body);
    if (typeof text !== 'string') {
      sendError(response, text);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      sendError(response, invalidJson(error));
      return;
    }
    let translated: ReturnType<typeof parseChatCompletionBody>;
    try {
      translated = parseChatCompletionBody(json);
    } catch (error) {
      if (!InvalidRequestError.isInstance(error)) throw error;
      sendError(response, toHttpError(error));
      return;
    }
    const resolved = resolveModel(translated.model, router.targets);
    if (!resolved) {
      const known = [autoModel, ...Object.keys(router.targets)].map((name) => `"${name}"`).join(', ');
      sendError(
        response,
        httpError(404, `The model "${translated.model}" does not exist; use one of ${known}`, {
          code: 'model_not_found',
          param: 'model',
        }),
      );
      return;
    }
    if (state.key && limiter) {
      const refused = await limiter.admit(state.key);
      if (refused) {
        sendError(response, refused);
        return;
      }
    }
    const routed: GenerateRequest = translated.request;
    // Pinning goes through the router, so privacy, capability and device checks still apply to the pinned target.
    const routeOptions: RouteOptions = resolved.pinned === undefined ? {} : { targets: [resolved.pinned] };
    const traceContext = state.trace?.traceContext;
    if (traceContext) routeOptions.traceContext = traceContext;

    const controller = new AbortController();
    const onClose = () => {
      if (!response.writableFinished) controller.abort();
    };
    response.on('close', onClose);
    let deadlineExpired = false;
    const deadlineMs = routed.routing?.deadlineMs;
    const deadline =
      deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            deadlineExpired = true;
            controller.abort();
          }, deadlineMs);
    routed.signal = controller.signal;
    try {
      if (translated.stream) {
        await streamChat(response, routed, routeOptions, translated, state, () => deadlineExpired);
      } else {
        await completeChat(response, routed, routeOptions, translated, state, () => deadlineExpired);
      }
    } finally {
      clearTimeout(deadline);
      response.off('close', onClose);
    }
  }

  async function completeChat(
    response: ServerResponse,
    request: GenerateRequest,
    routeOptions: RouteOptions,
    translated: ReturnType<typeof parseChatCompletionBody>,
    state: RequestState,
    deadlineExpired: () => boolean,
  ) {
    let result: Awaited<ReturnType<Router['generate']>>;
    try {
      result = await router.generate(request, routeOptions);
    } catch (error) {
      sendError(response, toHttpError(error, { deadlineExpired: deadlineExpired() }));
      return;
    }
    const target = result.route.target;
    state.target = target;
    if (state.key) limiter?.record(state.key, result.usage, result.route.costUsd);
    state.route = result.route;
    state.usage = result.usage;
    const toolCalls = translated.singleToolCall ? result.toolCalls.slice(0, 1) : result.toolCalls;
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: result.text === '' && toolCalls.length > 0 ? null : result.text,
    };
    if (toolCalls.length > 0) message.tool_calls = toolCalls.map(toOpenAIToolCall);
    send(
      response,
      200,
      {
        id: createCompletionId(),
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: target ?? translated.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(result.finishReason) }],
        usage: toOpenAIUsage(result.usage),
        switchyard: toRouteField(result.route),
      },
      routeHeaders(result.route),
    );
  }

  async function streamChat(
    response: ServerResponse,
    request: GenerateRequest,
    routeOptions: RouteOptions,
    translated: ReturnType<typeof parseChatCompletionBody>,
    state: RequestState,
    deadlineExpired: () => boolean,
  ) {
    const id = createCompletionId();
    const created = Math.floor(Date.now() / 1000);
    let current: string | undefined;
    let locality: string | undefined;
    let started = false;
    let toolIndex = 0;
    let usage: Usage | undefined;
    let summary: RouteSummary | undefined;
    let finishReason: FinishReason | undefined;

    const writer = new EventStreamWriter(response);
    // Every chunk shares its head (id, created, model) up to the delta: built once per answering model, not per chunk.
    let headModel: string | undefined;
    let head = '';
    // `extra` is more top-level fields (`,"name":value`), after `choices`.
    const chunk = (delta: string, finishReason: string | null = null, extra = '') => {
      const model = current ?? translated.model;
      if (model !== headModel) {
        headModel = model;
        head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
      }
      return `${head}${delta},"logprobs":null,"finish_reason":${finishReason === null ? 'null' : JSON.stringify(finishReason)}}]${extra}}\n\n`;
    };
    // Headers wait for the first output, so failures before it get a real status code (503, 504, 502) and the
    // x-switchyard-target header names the target that is actually answering.
    const start = () => {
      if (started) return;
      started = true;
      state.target = current;
      const head = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache'];
      head.push('x-accel-buffering', 'no');
      const requestId = (response as GatewayResponse)[requestIdKey];
      if (requestId !== undefined) head.push('x-request-id', requestId);
      if (closing) head.push('connection', 'close');
      if (current) head.push('x-switchyard-target', current);
      if (locality) head.push('x-switchyard-locality', locality);
      response.writeHead(200, head);
    };
    const firstDelta = () => toolIndex === 0 && !state.sentText;

    try {
      // An OpenAI client cannot retract text it was sent: after the first byte the router may only continue on a
      // target that can continue the partial answer, never restart, whatever the policy's midStream says.
      const midStream = router.policy.execution.midStream === 'error' ? 'error' : 'continue';
      routeOptions.midStream = midStream;
      for await (const part of router.stream(request, routeOptions)) {
        if (response.destroyed) break;
        switch (part.type) {
          case 'route':
            if (part.phase === 'decision') {
              const primary = part.plan.plan[0];
              current = primary?.target;
              locality = primary?.locality;
            } else {
              summary = part.route;
              state.route = part.route;
            }
            break;
          case 'failover':
            current = part.to;
            locality = router.targets[part.to]?.locality;
            // An SSE comment: invisible to OpenAI clients, visible to anyone debugging the raw stream.
            if (started) writer.push(`: switchyard failover ${part.from} -> ${part.to} (${part.mode})\n\n`);
            break;
          case 'text-delta': {
            if (part.text === '') break;
            start();
            const content = JSON.stringify(part.text);
            writer.push(chunk(firstDelta() ? `{"role":"assistant","content":${content}}` : `{"content":${content}}`));
            state.sentText = true;
            break;
          }
          case 'tool-call': {
            // parallel_tool_calls: false: the first call only, as OpenAI's API guarantees.
            if (translated.singleToolCall && toolIndex > 0) break;
            start();
            const call: ToolCall = part.toolCall;
            const delta = {
              ...(firstDelta() ? { role: 'assistant' } : {}),
              tool_calls: [{ index: toolIndex, ...toOpenAIToolCall(call) }],
            };
            writer.push(chunk(JSON.stringify(delta)));
            toolIndex += 1;
            break;
          }
          case 'usage':
            usage = part.usage;
            state.usage = part.usage;
            break;
          case 'finish':
            // Sent after the loop, with the route summary that follows it.
            start();
            finishReason = part.finishReason;
            break;
          default:
            break;
        }
        // Backpressure: a client that reads slowly holds the router (and so the upstream read) until it drains.
        const room = writer.waitForRoom();
        if (room) await room;
      }
    } catch (error) {
      // What a broken stream was billed still counts against the key's limits.
      const route = (error as { route?: RouteSummary }).route;
      if (state.key && route) limiter?.record(state.key, usage, route.costUsd);
      const mapped = toHttpError(error, { deadlineExpired: deadlineExpired() });
      if (!started) {
        sendError(response, mapped);
        state.status = mapped.status;
        return;
      }
      // Mid-stream: one chunk that carries `error` (the official openai clients raise it as an APIError) and ends the
      // choice with finish_reason "error" (for readers that look only at choices); no [DONE], the answer is not whole.
      state.status = mapped.status;
      writer.end(
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model: current ?? translated.model,
          choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'error' }],
          ...mapped.body,
        })}\n\n`,
      );
      return;
    }
    // A target that reported no usage part still has the router's figures (its estimate, what it charged).
    if (usage === undefined && summary?.usage !== undefined) {
      usage = summary.usage;
      state.usage = usage;
    }
    if (state.key && summary) limiter?.record(state.key, usage, summary.costUsd);
    if (response.destroyed) return;
    start();
    // The route rides on the finish chunk as an extra field, which every client parses past. Not as an event after
    // `data: [DONE]`: the AI SDK's OpenAI providers read every `data:` line of a stream, [DONE] or not, and reported
    // a stream that had such an event as finishReason "error".
    const route = summary ? `,"switchyard":${JSON.stringify(toRouteField(summary))}` : '';
    if (finishReason === undefined) writer.push(chunk('{}', 'stop', route));
    else {
      const delta = state.sentText || toolIndex > 0 ? '{}' : '{"role":"assistant","content":""}';
      writer.push(chunk(delta, toOpenAIFinishReason(finishReason), route));
    }
    if (translated.includeUsage && usage) {
      writer.push(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: current ?? translated.model, choices: [], usage: toOpenAIUsage(usage) })}\n\n`,
      );
    }
    writer.end('data: [DONE]\n\n');
  }

  function routeHeaders(route: RouteSummary): Record<string, string> | undefined {
    if (!route.target) return route.locality ? { 'x-switchyard-locality': route.locality } : undefined;
    return route.locality
      ? { 'x-switchyard-target': route.target, 'x-switchyard-locality': route.locality }
      : { 'x-switchyard-target': route.target };
  }

  interface RequestState {
    /** The API key the request presented, when it was one of `keys` (its limits apply). */
    key?: ApiKey;
    target?: string;
    status?: number;
    sentText?: boolean;
    trace?: ServerTrace;
    route?: RouteSummary;
    usage?: Usage;
  }

  async function dispatch(
    request: IncomingMessage,
    response: ServerResponse,
    state: RequestState,
    method: string,
    path: string,
  ) {
    const wrongHost = hosts.check(request);
    if (wrongHost !== undefined) {
      request.resume();
      return sendError(response, wrongHost);
    }
    const origin = origins.check(request);
    if (origin.kind === 'refused') {
      request.resume();
      return sendError(response, origin.error);
    }
    if (origin.kind === 'cross-origin') {
      if (OriginPolicy.isPreflight(request, method)) return preflight(request, response, origin.origin);
      // Merged by Node into each writer's one writeHead (the metrics exporter's included); only pages pay for it.
      const headers = OriginPolicy.responseHeaders(origin.origin);
      for (const name in headers) response.setHeader(name, headers[name] as string);
    }
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
      return health(response);
    }
    const access = path.startsWith('/v1/') ? authorize(request) : { ok: true };
    if (!access.ok) {
      request.resume();
      return sendError(
        response,
        httpError(401, 'Missing or invalid bearer token: send Authorization: Bearer <gateway token>', {
          code: 'invalid_api_key',
          headers: { 'www-authenticate': 'Bearer' },
        }),
      );
    }
    if ('key' in access && access.key) state.key = access.key;
    if (path === '/metrics') {
      if (!metrics) {
        request.resume();
        return sendError(response, httpError(404, `No route for ${method} ${path}`, { code: 'not_found' }));
      }
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
      if (!metricsPublic && !authorize(request).ok) {
        return sendError(
          response,
          httpError(401, 'Missing or invalid bearer token: send Authorization: Bearer <gateway token>', {
            code: 'invalid_api_key',
            headers: { 'www-authenticate': 'Bearer' },
          }),
        );
      }
      // The exporter writes this answer's head itself.
      const requestId = (response as GatewayResponse)[requestIdKey];
      if (requestId !== undefined) response.setHeader('x-request-id', requestId);
      return metrics.serve(request, response);
    }
    // HEAD wherever GET is (RFC 9110): monitors and `curl -I` ask so; Node leaves the body out of a HEAD answer.
    if (path === '/v1/models') {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
      return models(response);
    }
    if (path.startsWith(modelPathPrefix)) {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
      return model(response, path.slice(modelPathPrefix.length));
    }
    if (path === '/v1/chat/completions') {
      if (method !== 'POST') return methodNotAllowed(response, 'POST');
      return chat(request, response, state);
    }
    request.resume();
    return sendError(response, routeNotFound(method, path));
  }

  /** 204 to an allowed origin's preflight, whatever the path: the request that follows gets the route's own answer. */
  function preflight(request: IncomingMessage, response: ServerResponse, origin: string) {
    request.resume();
    const headers = OriginPolicy.preflightHeaders(request, origin);
    const requestId = (response as GatewayResponse)[requestIdKey];
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    if (closing) headers.connection = 'close';
    response.writeHead(204, headers);
    response.end();
  }

  function methodNotAllowed(response: ServerResponse, allowed: string) {
    sendError(
      response,
      httpError(405, `Method not allowed; use ${allowed}`, { code: 'method_not_allowed', headers: { allow: allowed } }),
    );
  }

  function handle(request: IncomingMessage, response: ServerResponse) {
    if (awaitingFirstRequest.delete(request.socket)) request.socket.setTimeout(0);
    const startedAt = performance.now();
    active += 1;
    const state: RequestState = {};
    const requestId = requestIdOf(request.headers['x-request-id']);
    // Every answer (errors and event streams included) echoes it: see requestIdKey.
    (response as GatewayResponse)[requestIdKey] = requestId;
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);
    const route = (knownRoutes as readonly string[]).includes(path)
      ? path
      : path.startsWith(modelPathPrefix)
        ? '/v1/models/{model}'
        : 'other';
    // Scrapes and health checks are not traced: they would drown the traces people look for.
    if (path.startsWith('/v1/')) state.trace = startServerTrace(tracer, request, route);
    running += 1;
    void run(request, response, state, requestId, method, path, route, startedAt);
  }

  /** One request from dispatch to its metrics, span and log line: one async frame, no promise chain per request. */
  async function run(
    request: IncomingMessage,
    response: ServerResponse,
    state: RequestState,
    requestId: string,
    method: string,
    path: string,
    route: string,
    startedAt: number,
  ): Promise<void> {
    try {
      try {
        await dispatch(request, response, state, method, path);
      } catch {
        sendError(response, httpError(500, 'Internal error in the Switchyard gateway', { code: 'internal' }));
      }
      active -= 1;
      const status = state.status ?? response.statusCode;
      const durationMs = performance.now() - startedAt;
      metrics?.recordRequest(method, route, status, durationMs / 1000);
      if (state.route?.target !== undefined) {
        metrics?.recordAnswer(state.route.target, state.route.ttftMs, state.usage, state.route.usageEstimated === true);
      }
      if (state.trace) endServerTrace(state.trace, status, requestId);
      if (options.log || options.logger) {
        // Closed by the client before the answer's last byte left: the socket went while the response was unfinished.
        // (Not `!writableFinished` alone: a completed answer is still flushing when dispatch returns, so every line
        // said "client closed".)
        const clientClosed = response.destroyed && !response.writableFinished;
        const entry = logEntry(requestId, method, path, status, durationMs, state, clientClosed);
        options.logger?.info(entry, 'request');
        options.log?.(formatTextLine(entry));
      }
    } finally {
      running -= 1;
      if (running === 0 && drained !== undefined) {
        drained.resolve();
        drained = undefined;
      }
    }
  }

  const headersTimeout = options.headersTimeoutMs ?? 5000;
  /** This server's sockets whose first-request timer is still running (see the `connection` handler). */
  const awaitingFirstRequest = new WeakSet<Socket>();
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(options.requestTimeoutMs ?? 30_000, headersTimeout),
      // How often Node looks for requests past those timeouts (default 30 s, which would add up to 30 s to each).
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
      // Node's default keep-alive timeout (5 s) is shorter than many clients'; idle sockets close on shutdown anyway.
      keepAliveTimeout: 65_000,
    },
    handle,
  );
  // `Expect: 100-continue`: a request the gateway refuses on its head alone (a wrong Host or Origin, no valid token
  // for /v1/) gets its refusal instead of "100 Continue" and the connection closes, so the client does not upload a
  // body (up to the body limit) only for it to be thrown away. Node would otherwise answer 100 for every request.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    const refused =
      hosts.check(request) !== undefined ||
      origins.check(request).kind === 'refused' ||
      (url.startsWith('/v1/') && !authorize(request).ok);
    if (refused) response.shouldKeepAlive = false;
    else response.writeContinue();
    handle(request, response);
  });
  const maxPerAddress = options.maxConnectionsPerAddress ?? 2048;
  const connectionsPerAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    // A socket that never sends a byte is not a request yet, so headersTimeout does not see it: one timer until its
    // first request arrives (handle() clears it, once per connection rather than on every request).
    socket.setTimeout(headersTimeout, () => socket.destroy());
    awaitingFirstRequest.add(socket);
    const address = socket.remoteAddress ?? 'unknown';
    const count = (connectionsPerAddress.get(address) ?? 0) + 1;
    if (count > maxPerAddress) {
      socket.destroy();
      return;
    }
    connectionsPerAddress.set(address, count);
    socket.once('close', () => {
      const left = (connectionsPerAddress.get(address) ?? 1) - 1;
      if (left > 0) connectionsPerAddress.set(address, left);
      else connectionsPerAddress.delete(address);
    });
  });

  return {
    server,
    get url() {
      return url;
    },
    handle,
    listen({ port = 8787, host = '127.0.0.1' } = {}) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${shownHost}:${address.port}`;
          resolve(url);
        });
      });
    },
    async close({ graceMs = options.shutdownGraceMs ?? 10_000 } = {}) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([whenDrained(), grace]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
      if (ownLimitStore) await limitStore?.close();
      await ownRegistry?.shutdown();
    },
  };
}

function logEntry(
  requestId: string,
  method: string,
  path: string,
  status: number,
  durationMs: number,
  state: { target?: string; route?: RouteSummary; usage?: Usage; trace?: ServerTrace; key?: ApiKey },
  clientClosed: boolean,
): RequestLogEntry {
  const entry: RequestLogEntry = { requestId, method, path, status, durationMs: Math.round(durationMs * 10) / 10 };
  const target = state.route?.target ?? state.target;
  if (target !== undefined) entry.target = target;
  if (state.route?.locality !== undefined) entry.locality = state.route.locality;
  if (state.route?.ttftMs !== undefined) entry.ttftMs = state.route.ttftMs;
  if (state.usage) {
    entry.inputTokens = state.usage.inputTokens;
    entry.outputTokens = state.usage.outputTokens;
  }
  if (state.route?.costUsd !== undefined) entry.costUsd = state.route.costUsd;
  if (state.route?.usageEstimated) entry.usageEstimated = true;
  if (state.key) entry.apiKey = state.key.name;
  if (clientClosed) entry.clientClosed = true;
  if (state.trace?.traceId !== undefined) entry.traceId = state.trace.traceId;
  return entry;
}
