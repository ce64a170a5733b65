import { ConnectionError } from '@switchyard/contract';
import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.js';

/** What is read of a response after its terminator before giving up on it (as the undici transport does). */
const drainLimitBytes = 64 * 1024;
const drainTimeoutMs = 2000;

function ignore(): void {}

/**
 * What `fetch` or a body read threw, typed: an abort is passed on as it is (`CallControl.toError` decides between the
 * caller's abort and a deadline), anything else is a network failure (`TypeError: Failed to fetch`, `terminated`, a
 * reset mid-body), so a retryable `ConnectionError`. Node's fetch names the socket error in `cause.code`.
 */
function toTransportError(error: unknown, request: HttpRequest): unknown {
  if (request.signal?.aborted) return request.signal.reason ?? error;
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError') return error;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return new ConnectionError({
    url: request.url.href,
    ...(code === undefined ? { detail: error instanceof Error ? error.message : String(error) } : { systemCode: code }),
    target: request.target,
    cause: error,
  });
}

/** Reads what is left of a body in the background, bounded in bytes and time, then cancels it. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let bytes = 0;
  const timer = setTimeout(() => void reader.cancel().catch(ignore), drainTimeoutMs);
  // Node keeps the process alive for a timer unless told otherwise; browsers return a number without `unref`.
  (timer as { unref?: () => void }).unref?.();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      bytes += value.byteLength;
      if (bytes > drainLimitBytes) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // Cancelled by the timer, or the connection broke after the terminator: nothing is waiting for it.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The fetch transport: requests go through the global `fetch` (browsers, workers, Deno, Bun, Node), bodies are read
 * from the response's `ReadableStream`, aborts go through `AbortSignal`. Network failures become retryable
 * `ConnectionError`s naming the URL (never a header); error statuses are left to the caller, as with undici. Imports
 * no Node built-in. In a browser the server must allow the page's origin (CORS), and expose `Retry-After` for it to be
 * read (`Access-Control-Expose-Headers: Retry-After`).
 *
 * @example
 * ```ts
 * const client = new HttpClient({ target: 'gpu', baseURL: 'https://gpu.example/v1', transport: createFetchTransport() });
 * ```
 */
export function createFetchTransport(fetchImpl?: typeof fetch): HttpTransport {
  // Looked up per request, not captured: tests and polyfills replace the global after the transport is made.
  const send: typeof fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  return {
    async request(request) {
      let response: Response;
      try {
        response = await send(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        });
      } catch (error) {
        throw toTransportError(error, request);
      }
      const headers: Record<string, string | undefined> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
      let finished = false;
      const readerOf = () => {
        reader ??= response.body?.getReader();
        return reader;
      };
      const result: HttpResponse = {
        status: response.status,
        headers,
        body: {
          [Symbol.asyncIterator]: () => ({
            async next(): Promise<IteratorResult<Uint8Array>> {
              const current = readerOf();
              if (!current) return { done: true, value: undefined };
              try {
                const chunk = await current.read();
                return chunk.done ? { done: true, value: undefined } : { done: false, value: chunk.value };
              } catch (error) {
                throw toTransportError(error, request);
              }
            },
            // Leaving a loop early keeps the body, as the undici transport does: `release()` or `cancel()` ends it.
            async return(): Promise<IteratorResult<Uint8Array>> {
              return { done: true, value: undefined };
            },
          }),
        },
        async text() {
          finished = true;
          try {
            return await response.text();
          } catch (error) {
            throw toTransportError(error, request);
          }
        },
        release() {
          if (finished) return;
          finished = true;
          const current = readerOf();
          if (current) void drain(current);
        },
        cancel() {
          if (finished) return;
          finished = true;
          const current = readerOf();
          if (current) void current.cancel().catch(ignore);
        },
      };
      return result;
    },
  };
}
