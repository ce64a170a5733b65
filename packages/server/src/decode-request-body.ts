import type { IncomingHttpHeaders } from 'node:http';
import type { HttpError } from './http-errors.js';
import { httpError } from './http-errors.js';

const jsonFix = 'send Content-Type: application/json (with curl: -H "Content-Type: application/json")';

/**
 * Why a chat body's Content-Type is refused, or `undefined` when it is JSON. `application/json` with any parameters
 * (`; charset=utf-8`) and `application/<x>+json` pass, and so does no Content-Type at all (some HTTP clients send none
 * with a JSON body). Anything else is a 415: a text/plain or form body would otherwise be read as JSON, which also
 * lets any web page post to a gateway without a CORS preflight, since browsers send those types cross-origin freely.
 */
export function contentTypeError(headers: IncomingHttpHeaders): HttpError | undefined {
  const header = headers['content-type'];
  if (header === undefined || header.trim() === '') return undefined;
  const mediaType = (header.split(';', 1)[0] as string).trim().toLowerCase();
  if (mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType)) return undefined;
  // Only the media type is repeated (a header's parameters are the client's business), shortened if it is long.
  const shown = mediaType.length > 60 ? `${mediaType.slice(0, 60)}…` : mediaType;
  return httpError(415, `Unsupported Content-Type "${shown}": the request body must be JSON; ${jsonFix}`, {
    code: 'unsupported_media_type',
  });
}
