import { ApiCallError, parseRetryAfter, redactSecrets } from '@switchyard/contract';
import { parseErrorMessage, statusTexts } from './error-body.js';
import type { HttpResponse } from './http-transport.js';

/** Enough of an error body to explain it; the rest is discarded so a huge page never sits in memory. */
const maxErrorBody = 4096;

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
