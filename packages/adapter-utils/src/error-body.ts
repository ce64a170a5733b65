import { ApiCallError, parseRetryAfter, redactSecrets } from '@switchyard/contract';
import type { HttpResponse } from './http-transport.js';

/** Enough of an error body to explain it; the rest is discarded so a huge page never sits in memory. */
const maxErrorBody = 4096;

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
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      if (text.length >= maxErrorBody) break;
    }
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
