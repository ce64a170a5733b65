import type { HttpError } from './http-errors.js';
import { httpError, shortenedForMessage } from './http-errors.js';

const served = 'POST /v1/chat/completions, GET /v1/models, GET /v1/models/{model}, GET /health and GET /metrics';
const chatRoute = '/v1/chat/completions';

/** OpenAI APIs a client may call by default or by habit, and what to use instead. */
const otherApis: Array<[prefix: string, advice: string]> = [
  [
    '/v1/responses',
    'the gateway serves the Chat Completions API, not the Responses API: send POST /v1/chat/completions ' +
      '(with @ai-sdk/openai, use provider.chat(model) instead of provider(model); with the openai client, ' +
      'chat.completions.create instead of responses.create)',
  ],
  [
    '/v1/completions',
    'the gateway serves the Chat Completions API, not the legacy Completions API: send POST /v1/chat/completions ' +
      'with the prompt as messages: [{ "role": "user", "content": prompt }]',
  ],
];

/** The path with repeated slashes collapsed and a trailing slash dropped (`/v1//chat/completions/`). */
function tidy(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed;
}

/**
 * The 404 for a path the gateway does not serve, saying what to use instead: the Chat Completions route for the
 * Responses and legacy Completions APIs, the route a near-miss path meant (a doubled or trailing slash, a base URL
 * without `/v1`), else the list of routes served. Only the path is repeated (never the query), cut at 100 characters.
 */
export function routeNotFound(method: string, path: string): HttpError {
  const tidied = tidy(path);
  const other = otherApis.find(([prefix]) => tidied === prefix || tidied.startsWith(`${prefix}/`));
  let advice: string;
  if (other) advice = other[1];
  else if (tidied === chatRoute || `/v1${tidied}` === chatRoute) {
    advice = `did you mean ${chatRoute}? Set the client's base URL to the gateway's address followed by /v1, with no trailing slash`;
  } else advice = `the gateway serves ${served}`;
  return httpError(404, `No route for ${method} ${shortenedForMessage(path)}: ${advice}`, { code: 'not_found' });
}
