import {
  type ApiCallError,
  InvalidResponseError,
  redactSecrets,
  redactUrl,
  type SwitchyardError,
  type TraceContext,
} from '@switchyard/contract';
import { readBoundedText, readErrorText, responseToApiCallError } from './error-body.js';
import type { HttpResponse, HttpTransport } from './http-transport.js';
import { traceHeaders } from './trace-headers.js';

/** Options of {@link HttpClient}. */
export interface HttpClientOptions {
  /** The target id, for errors. */
  target: string;
  /** The API root every path hangs off, e.g. `http://10.0.0.5:8000/v1`; its query string is kept on every URL. */
  baseURL: string;
  /** Headers sent with every request (auth, gateway keys). */
  headers?: Record<string, string> | undefined;
  /** Values never to show in an error (API keys, header secrets): redacted from error bodies and messages. */
  secrets?: readonly string[] | undefined;
  /**
   * How requests reach the network: `createUndiciTransport(dispatcher?)` on Node, `createFetchTransport()` in browsers
   * and workers. Passed in, so the client itself imports neither.
   */
  transport: HttpTransport;
  /**
   * Called for every request; the headers it returns are added to that request only. The hook for tracing
   * (`traceparent` from the active span) and per-request auth.
   */
  requestHeaders?: ((request: { method: string; url: string }) => Record<string, string> | undefined) | undefined;
  /**
   * Turns an error status into the adapter's own error when the protocol says more than the status (Ollama's
   * "model not found" 404 is a `TargetUnavailableError`); return `undefined` to keep the `ApiCallError`.
   */
  mapApiError?: ((error: ApiCallError) => SwitchyardError | undefined) | undefined;
  /**
   * Largest body {@link HttpClient.getJson} reads, in bytes; past it a non-retryable `InvalidResponseError` names the
   * cap and the adapter setting `maxResponseBytes`. Default 32 MiB. Adapters pass their own `maxResponseBytes` so one
   * setting bounds every JSON body they read (model lists and configs as well as answers).
   */
  maxResponseBytes?: number | undefined;
}

/** One request of {@link HttpClient.send}. */
export interface SendOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Appended to `baseURL`. */
  path?: string;
  /**
   * An absolute URL instead of `path`: one the settings give (a health URL) or one built once with {@link HttpClient.url}
   * for a hot path.
   */
  url?: URL | undefined;
  /** Sent as JSON. */
  json?: unknown;
  /** The `accept` header. Default `application/json`. */
  accept?: string;
  signal?: AbortSignal | undefined;
  /** The call's trace context (`call.traceContext`): sent as `traceparent` and friends, see {@link traceHeaders}. */
  traceContext?: TraceContext | undefined;
}

/**
 * The HTTP client every adapter shares: JSON requests to one API root, error statuses turned into `ApiCallError`s
 * (reason phrase, `Retry-After`, the server's own message, secrets redacted, body released), and one retryability
 * rule for every adapter: `ApiCallError` is retryable for 408, 409, 429 and 5xx; failures to connect or read are
 * `ConnectionError`s, always retryable (`CallControl.toError` maps them), and the target's status says `unreachable`
 * meanwhile. Transport errors are thrown as they are, for `CallControl.toError` to type.
 *
 * @example
 * ```ts
 * const client = new HttpClient({
 *   target: 'gpu',
 *   baseURL: 'http://10.0.0.5:8000/v1',
 *   headers: { authorization },
 *   transport: createUndiciTransport(),
 * });
 * const models = await client.getJson<{ data: unknown[] }>({ path: '/models' });
 * ```
 */
export class HttpClient {
  private readonly base: URL;
  /** The base's path without its trailing slash: `''` for an origin alone (a URL's pathname is never empty). */
  private readonly basePath: string;
  private readonly transport: HttpTransport;

  constructor(private readonly options: HttpClientOptions) {
    this.base = new URL(options.baseURL);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    this.transport = options.transport;
  }

  /** The full URL of `path` (the base's query string kept), e.g. for error messages. */
  url(path: string): URL {
    const url = new URL(this.base.href);
    url.pathname = `${this.basePath}${path}`;
    return url;
  }

  /** Replaces every configured secret in `text` with `[redacted]`. */
  redact(text: string): string {
    return redactSecrets(text, this.options.secrets ?? []);
  }

  /** Sends one request; resolves with the response for any status below 400, rejects with the typed error otherwise. */
  send(options: SendOptions): Promise<HttpResponse> {
    // Not an async function: its frame would live as long as the server takes to answer (bench row 5 counts memory
    // per request in flight); one closure instead, holding what an error needs, not the options and their JSON body.
    try {
      const { method = 'GET', url, path } = options;
      return this.request(options).then((response) =>
        response.status < 400 ? response : this.failed(response, method, this.resolve(url, path)),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The typed error for an error status (the body is read, 4 KB at most, and released). */
  private async failed(response: HttpResponse, method: string, url: URL): Promise<never> {
    const error = await this.toApiCallError(response, method, url.href);
    throw this.options.mapApiError?.(error) ?? error;
  }

  /**
   * Sends one request and parses the answer as a JSON object; anything else is an `InvalidResponseError`, and so is a
   * body over the client's `maxResponseBytes` (default 32 MiB; see {@link readBoundedText}).
   */
  async getJson<T extends object>(options: SendOptions): Promise<T> {
    const response = await this.send(options);
    const text = await readBoundedText(response, {
      target: this.options.target,
      url: this.resolve(options.url, options.path).href,
      maxBytes: this.options.maxResponseBytes,
      setting: 'maxResponseBytes',
    });
    try {
      const parsed = (text === '' ? {} : JSON.parse(text)) as unknown;
      if (typeof parsed === 'object' && parsed !== null) return parsed as T;
    } catch {
      // Reported below.
    }
    throw new InvalidResponseError({
      // redactUrl: a query-string key (`?api-key=`) never reaches a message.
      message: `"${redactUrl(this.resolve(options.url, options.path).href)}" did not answer with a JSON object`,
      target: this.options.target,
    });
  }

  /** A small request whose status the caller judges (health probes): never throws for a status; the body is read (4 KB at most). */
  async probe(options: SendOptions): Promise<{ status: number; text: string }> {
    const response = await this.request(options);
    return { status: response.status, text: await readErrorText(response) };
  }

  private resolve(url: URL | undefined, path: string | undefined): URL {
    return url ?? this.url(path ?? '');
  }

  private request(options: SendOptions): Promise<HttpResponse> {
    const method = options.method ?? 'GET';
    const url = this.resolve(options.url, options.path);
    const headers: Record<string, string> = { ...this.options.headers, accept: options.accept ?? 'application/json' };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const extra = this.options.requestHeaders?.({ method, url: url.href });
    if (extra) Object.assign(headers, extra);
    const trace = traceHeaders(options.traceContext);
    if (trace) Object.assign(headers, trace);
    return this.transport.request({
      method,
      url,
      headers,
      target: this.options.target,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: options.signal,
    });
  }

  private toApiCallError(response: HttpResponse, method: string, url: string): Promise<ApiCallError> {
    return responseToApiCallError(response, {
      url,
      method,
      target: this.options.target,
      secrets: this.options.secrets,
    });
  }
}
