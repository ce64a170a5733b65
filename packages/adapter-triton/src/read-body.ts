import type { Dispatcher } from 'undici';

/** Enough of an error body to explain it; the rest is discarded so a huge page never sits in memory. */
const maxErrorBody = 4096;

/** Reads at most 4 KB of a body, then destroys it so the socket is released either way. */
export async function readErrorBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body) {
      text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      if (text.length >= maxErrorBody) break;
    }
  } catch {
    // A body that fails half-way still leaves us the status, which is what matters.
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return text.slice(0, maxErrorBody);
}

/** The `error` string of an `{ "error": "..." }` body, the shape Ollama and Triton both use. */
export function errorField(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const error = (parsed as { error?: unknown }).error;
      if (typeof error === 'string') return error;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the status says enough.
  }
  return undefined;
}

/** Standard reason phrases, so messages read `[POST] "url": 503 Service Unavailable`. */
export const statusTexts: Record<number, string> = {
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
