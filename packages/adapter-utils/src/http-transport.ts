import { InvalidConfigError } from '@switchyard/contract';
import type { Dispatcher } from 'undici';
import { closedBeforeAnswer, closedBeforeAnswerRetries } from './closed-before-answer.js';
import { sharedAgent } from './shared-agent.js';

/** One HTTP request as a transport sends it. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
  signal?: AbortSignal | undefined;
  /** The target id, for errors the transport types itself (the fetch transport's `ConnectionError`). */
  target?: string | undefined;
}

/** A response whose body is still to be read. Exactly one of `text()`, a full read of `body`, `release()` or `cancel()` finishes it. */
export interface HttpResponse {
  status: number;
  /** Response headers, names in lower case, first value only. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body as it arrives. Leaving a loop over it early does not destroy it: call `release()` or `cancel()`. */
  body: AsyncIterable<Uint8Array>;
  /** The whole body as text. */
  text(): Promise<string>;
  /**
   * Lets the body end by itself so the connection goes back to the pool (servers end a stream right after its last
   * event); one that keeps sending or stays open is destroyed after a bound. Use after a stream's terminator.
   */
  release(): void;
  /** Destroys the body and its connection. Safe to call more than once and after the body ended. */
  cancel(): void;
}

/**
 * How the kit's HTTP client talks to the network. `createUndiciTransport` is the default on Node;
 * `createFetchTransport` (browsers, workers, edge runtimes) implements the same two lines over `fetch`.
 */
export interface HttpTransport {
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** What is read of a response after its terminator before giving up on it. */
const drainLimitBytes = 64 * 1024;
const drainTimeoutMs = 2000;

function ignore(): void {}

function firstValues(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    result[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  return result;
}

/**
 * undici's header record as the first values: undici already lower-cases the names, so a record with no repeated
 * header is used as it is (no copy); one with a repeated header (an array) is copied with its first values.
 */
function undiciFirstValues(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  for (const name in headers) if (Array.isArray(headers[name])) return firstValues(headers);
  return headers as Record<string, string | undefined>;
}

type UndiciBody = Dispatcher.ResponseData['body'];

/**
 * An undici response as an {@link HttpResponse}: one object per request with its methods on the prototype (no
 * closures per request), and the header record built only when someone reads it (a stream's hot path reads one header).
 */
class UndiciResponse implements HttpResponse {
  readonly status: number;
  readonly #raw: UndiciBody;
  readonly #rawHeaders: Record<string, string | string[] | undefined>;
  #headers: Record<string, string | undefined> | undefined;
  #finished = false;

  constructor(response: Dispatcher.ResponseData) {
    this.status = response.statusCode;
    this.#raw = response.body;
    this.#rawHeaders = response.headers;
  }

  /** The response is its own body's iterable (a getter, so the object holds no reference to itself). */
  get body(): AsyncIterable<Uint8Array> {
    return this;
  }

  get headers(): Readonly<Record<string, string | undefined>> {
    this.#headers ??= undiciFirstValues(this.#rawHeaders);
    return this.#headers;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    // Leaving a loop at a stream's terminator does not destroy a body that has not ended yet (undici would drop the
    // socket); release() ends it.
    return new BodyChunks(this.#raw);
  }

  text(): Promise<string> {
    return this.#raw.text();
  }

  release(): void {
    if (this.#finished) return;
    this.#finished = true;
    const body = this.#raw;
    if (body.destroyed || body.readableEnded) return;
    let bytes = 0;
    const timer = setTimeout(() => body.destroy(), drainTimeoutMs);
    timer.unref();
    body.on('error', ignore);
    body.on('close', () => clearTimeout(timer));
    body.on('data', (chunk: Uint8Array) => {
      bytes += chunk.length;
      if (bytes > drainLimitBytes) body.destroy();
    });
    body.resume();
  }

  cancel(): void {
    if (this.#finished) return;
    this.#finished = true;
    const body = this.#raw;
    // Nothing listens to the body any more: its own abort error must not become an uncaught exception.
    if (!body.destroyed && !body.readableEnded) body.on('error', ignore).destroy();
  }
}

/** What `BodyChunks.next()` answers once the body has ended. */
const ended: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * An undici body's chunks as an async iterator: `read()` while the body has data, one wait for its next event when it
 * has none. Node's own `Readable` iterator is an async generator that also sets up `finished()` (four listeners and
 * their closures) for every body, and adds an async-generator hop to every chunk: on an answer of one or two chunks,
 * read per request by every call, that was a measurable part of the adapter's CPU. Same contract as Node's iterator
 * with `destroyOnReturn: false`: chunks in order, done at `end`, the body's error when it fails, a "Premature close"
 * error when it is destroyed before its end without one, and `return()` leaves the body as it is.
 */
class BodyChunks implements AsyncIterator<Uint8Array> {
  readonly #body: UndiciBody;
  /** Settles the pending wait; set only while `next()` waits for the body's next event. */
  #wake: (() => void) | undefined;
  /** One listener for every event that can end a wait (created by the first wait: most bodies never wait). */
  #onEvent: (() => void) | undefined;
  #finished = false;

  constructor(body: UndiciBody) {
    this.#body = body;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#finished) return Promise.resolve(ended);
    const body = this.#body;
    const chunk: Uint8Array | null = body.destroyed ? null : body.read();
    if (chunk !== null) return Promise.resolve({ value: chunk, done: false });
    if (body.readableEnded) return this.#finish(undefined);
    if (body.destroyed) return this.#finish(body.errored ?? prematureClose());
    return this.#wait().then(() => this.next());
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.#stopListening();
    this.#finished = true;
    return Promise.resolve(ended);
  }

  #wait(): Promise<void> {
    if (this.#onEvent === undefined) {
      const onEvent = () => {
        const wake = this.#wake;
        this.#wake = undefined;
        wake?.();
      };
      this.#onEvent = onEvent;
      this.#body.on('readable', onEvent).on('end', onEvent).on('error', onEvent).on('close', onEvent);
    }
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #finish(error: unknown): Promise<IteratorResult<Uint8Array>> {
    this.#stopListening();
    this.#finished = true;
    return error === undefined ? Promise.resolve(ended) : Promise.reject(error);
  }

  #stopListening(): void {
    const onEvent = this.#onEvent;
    if (onEvent === undefined) return;
    this.#onEvent = undefined;
    this.#wake = undefined;
    this.#body.off('readable', onEvent).off('end', onEvent).off('error', onEvent).off('close', onEvent);
  }
}

/** What Node's stream iterator throws for a body destroyed before its end without an error of its own. */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * The undici transport: requests go through `dispatcher` (default the kit's shared keep-alive `Agent`).
 *
 * A request that failed because the server closed a reused keep-alive connection before answering it (llama-server
 * closes one after every streamed response; servers close idle ones after their keep-alive timeout) is sent again, at
 * most 3 times: only undici's "other side closed" on a socket that had carried an earlier response, before any
 * response to this request started. Nothing else is retried (status responses, errors in a body, new connections).
 *
 * @example
 * ```ts
 * const transport = createUndiciTransport(new Agent({ connections: 8 }));
 * const client = new HttpClient({ target: 'gpu', baseURL: 'http://10.0.0.5:8000/v1', transport });
 * ```
 */
export function createUndiciTransport(dispatcher: Dispatcher = sharedAgent()): HttpTransport {
  // Checked by shape, as the settings' dispatcher is, so two installed copies of undici both pass.
  if (typeof dispatcher?.request !== 'function') {
    const message = 'expected an undici Dispatcher (Agent, Pool, Client) or nothing';
    throw new InvalidConfigError({ problems: [{ path: 'dispatcher', message }] });
  }
  return {
    request(request) {
      const url = request.url;
      try {
        return send(dispatcher, {
          origin: url.origin,
          path: url.search === '' ? url.pathname : `${url.pathname}${url.search}`,
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: request.signal,
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/**
 * One attempt, and the next after {@link closedBeforeAnswer}. Not an async function: its frame (a generator object and
 * its registers, ~0.2 KB) would live as long as the server takes to answer (bench row 5 counts memory per request in
 * flight); one closure instead, holding undici's options (not the URL), for the rejection.
 */
function send(dispatcher: Dispatcher, options: Dispatcher.RequestOptions, retries = 0): Promise<HttpResponse> {
  return dispatcher
    .request(options)
    .then(toHttpResponse, (error: unknown) =>
      retries < closedBeforeAnswerRetries && closedBeforeAnswer(error)
        ? send(dispatcher, options, retries + 1)
        : Promise.reject(error),
    );
}

function toHttpResponse(response: Dispatcher.ResponseData): HttpResponse {
  return new UndiciResponse(response);
}
