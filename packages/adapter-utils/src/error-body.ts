import { ApiCallError, InvalidResponseError, parseRetryAfter, redactSecrets, redactUrl } from '@switchyard/contract';
import type { HttpResponse } from './http-transport.js';
import { newUtf8Decoder } from './utf8-decoder.js';

/** Enough of an error body to explain it; the rest is discarded so a huge page never sits in memory. */
const maxErrorBody = 4096;

/**
 * The default cap on a whole JSON answer ({@link readBoundedText}): 32 MiB. The largest plain answer a model's
 * `max_tokens` allows today (about 128k tokens) is about 0.5 MB of text, a few MB with every character `\u`-escaped;
 * 32 MiB is 4 of the 8 MiB events a stream may carry, and leaves room for `logprobs` or several choices. A body past
 * it is broken or hostile, not just long.
 */
export const defaultMaxResponseBytes = 32 * 1024 * 1024;

/**
 * Reads at most `maxBytes` of a body (more only by the last chunk) and decodes it. `complete` is false when the body
 * went on past `maxBytes`: the rest is left unread, for the caller to cancel. Read errors are thrown as they are.
 */
async function readAtMost(response: HttpResponse, maxBytes: number): Promise<{ text: string; complete: boolean }> {
  const decoder = newUtf8Decoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    text += decoder.write(chunk);
    if (bytes > maxBytes) return { text, complete: false };
  }
  return { text: text + decoder.end(), complete: true };
}

/** Options of {@link readBoundedText}. */
export interface BoundedReadOptions {
  /** The target id, for the error. */
  target: string;
  /** The URL the body came from, for the error (its query string is redacted). */
  url: string;
  /** Largest body read, in bytes. Default {@link defaultMaxResponseBytes} (32 MiB). */
  maxBytes?: number | undefined;
  /** The setting that raises the cap, named in the error as the fix (e.g. `maxResponseBytes`). */
  setting?: string | undefined;
}

/**
 * Reads a whole response body as text, at most `maxBytes` of it: what an adapter calls instead of `response.text()`,
 * which would buffer whatever a broken or hostile server sends. A body over the cap (by its `content-length`, before
 * anything is read, or as it arrives) is a non-retryable `InvalidResponseError` naming the cap and the setting that
 * raises it: the same request would bring the same body again (a router still falls back to another target). The
 * body and its connection are destroyed on any failure; a full read releases them.
 *
 * @example
 * ```ts
 * const response = await client.send({ method: 'POST', url, json });
 * const text = await readBoundedText(response, { target: id, url: url.href, maxBytes, setting: 'maxResponseBytes' });
 * ```
 */
export async function readBoundedText(response: HttpResponse, options: BoundedReadOptions): Promise<string> {
  const maxBytes = options.maxBytes ?? defaultMaxResponseBytes;
  try {
    const declared = response.headers['content-length'];
    if (declared === undefined || !(Number(declared) > maxBytes)) {
      const { text, complete } = await readAtMost(response, maxBytes);
      if (complete) return text;
    }
  } finally {
    // Destroys what is left of a body over the cap or cut by an error; a no-op after a full read.
    response.cancel();
  }
  const fix = options.setting === undefined ? '' : ` (raise \`${options.setting}\` if answers this large are expected)`;
  throw new InvalidResponseError({
    message: `"${redactUrl(options.url)}" answered with a body larger than ${maxBytes} bytes; refusing to buffer it${fix}`,
    target: options.target,
    isRetryable: false,
  });
}

/**
 * The message a server put in its error JSON: `{ "error": "..." }` (Ollama, Triton), `{ "error": { "message" } }`
 * (OpenAI-compatible), `{ "message" }` or `{ "detail" }`. `undefined` for anything else.
 */
export function parseErrorMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    const error = record.error;
    if (typeof error === 'string') return error;
    if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
      return (error as { message: string }).message;
    }
    if (typeof record.message === 'string') return record.message;
    if (typeof record.detail === 'string') return record.detail;
  } catch {
    // Not JSON (a proxy's HTML page, say): the status says enough.
  }
  return undefined;
}

/** Standard reason phrases, so messages read `[POST] "url": 503 Service Unavailable`. */
export const statusTexts: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Reads at most 4 KB of a response body as text, then releases the rest, so the socket is freed either way. */
export async function readErrorText(response: HttpResponse): Promise<string> {
  let text = '';
  try {
    text = (await readAtMost(response, maxErrorBody)).text;
  } catch {
    // A body that fails half-way still leaves us the status, which is what matters.
  } finally {
    // Destroys what is left, so the socket is released either way (a no-op after a full read).
    response.cancel();
  }
  return text.slice(0, maxErrorBody);
}

/**
 * The `ApiCallError` for an error status of any transport's response: reason phrase, `Retry-After`, the server's own
 * message, secrets redacted from the body; the body is released.
 *
 * @example
 * ```ts
 * const response = await transport.request({ method: 'POST', url, headers, body });
 * if (response.status >= 400) throw await responseToApiCallError(response, { url: url.href, method: 'POST', target: id });
 * ```
 */
export async function responseToApiCallError(
  response: HttpResponse,
  options: { url: string; method: string; target: string; secrets?: readonly string[] | undefined },
): Promise<ApiCallError> {
  const text = redactSecrets(await readErrorText(response), options.secrets ?? []);
  const detail = parseErrorMessage(text);
  return new ApiCallError({
    url: options.url,
    method: options.method,
    status: response.status,
    statusText: statusTexts[response.status],
    retryAfterMs: parseRetryAfter(response.headers['retry-after']),
    responseBody: text,
    detail: detail === undefined ? undefined : detail.slice(0, 200),
    target: options.target,
  });
}
