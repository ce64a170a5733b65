import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
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
  // What almost every client sends, answered without splitting the header.
  if (header === undefined || header === 'application/json' || header.trim() === '') return undefined;
  const mediaType = (header.split(';', 1)[0] as string).trim().toLowerCase();
  if (mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType)) {
    // A UTF-16 or UTF-32 body can never be read as the UTF-8 that JSON is (RFC 8259); other charsets pass, and the
    // body is then held to UTF-8 (an ASCII body is both).
    const charset = /;\s*charset\s*=\s*"?(utf-?(?:16|32)[a-z]*)/i.exec(header)?.[1];
    if (charset === undefined) return undefined;
    return httpError(
      415,
      `Unsupported charset "${charset.toLowerCase()}": JSON request bodies must be UTF-8; send the body UTF-8 encoded ` +
        'with Content-Type: application/json',
      { code: 'unsupported_media_type' },
    );
  }
  // Only the media type is repeated (a header's parameters are the client's business), shortened if it is long.
  const shown = mediaType.length > 60 ? `${mediaType.slice(0, 60)}…` : mediaType;
  return httpError(415, `Unsupported Content-Type "${shown}": the request body must be JSON; ${jsonFix}`, {
    code: 'unsupported_media_type',
  });
}

type Decoder = (body: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;
// A Map, so a coding named like an Object.prototype member ("constructor") finds nothing.
const decoders = new Map<string, Decoder>([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
  ['br', promisify(brotliDecompress)],
]);
const supportedEncodings = 'gzip, deflate, br';

/**
 * The body with its Content-Encoding undone, or the error to answer with: a coding the gateway cannot undo is a 415
 * with `Accept-Encoding` (RFC 9110 §15.5.16), a body that does not decompress is a 400 saying so, and one larger than
 * `limit` once decompressed is a 413 (so a small compressed body cannot expand past the limit).
 */
export async function decodeRequestBody(
  body: Buffer,
  headers: IncomingHttpHeaders,
  limit: number,
): Promise<Buffer | HttpError> {
  const header = headers['content-encoding'];
  const codings = (header ?? '')
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0) return body;
  const [coding] = codings;
  const decode = codings.length === 1 && coding !== undefined ? decoders.get(coding) : undefined;
  if (decode === undefined) {
    const shown = codings.join(', ').slice(0, 60);
    return httpError(
      415,
      `Unsupported Content-Encoding "${shown}": the gateway decompresses one of ${supportedEncodings}; ` +
        'send the body in one of those or uncompressed, without Content-Encoding',
      { code: 'unsupported_content_encoding', headers: { 'accept-encoding': supportedEncodings } },
    );
  }
  try {
    return await decode(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return bodyTooLarge(limit, ' once decompressed');
    }
    return httpError(
      400,
      `The request body could not be decompressed as its Content-Encoding "${coding}" says ` +
        `(${(error as Error).message}); send it ${coding}-compressed in full, or uncompressed without Content-Encoding`,
      { code: 'invalid_content_encoding' },
    );
  }
}

/**
 * The body as text, or a 400 when it is not UTF-8, which JSON must be (RFC 8259): decoding it anyway would turn each
 * bad byte into U+FFFD and send a prompt the client never wrote. A leading byte-order mark is dropped (RFC 8259
 * allows a parser to ignore it; .NET and PowerShell clients send one).
 */
export function bodyText(body: Buffer): string | HttpError {
  if (!isUtf8(body)) {
    return httpError(400, 'The request body is not valid UTF-8: JSON must be UTF-8 encoded (RFC 8259); send it so', {
      code: 'invalid_encoding',
    });
  }
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The 413 for a body over the gateway's limit, saying how to get under it: images as URLs rather than `data:` URLs
 * (a base64 photo alone passes the 1 MiB default), or the limit raised where the gateway is configured.
 */
export function bodyTooLarge(limit: number, qualifier = '', headers?: Record<string, string>): HttpError {
  return httpError(
    413,
    `The request body is larger than the gateway's limit of ${limit} bytes${qualifier}: send less (an image as an ` +
      'https: URL rather than a data: URL), or raise the limit (switchyard serve --body-limit 8mb, ' +
      'gateway.bodyLimitBytes in the config, bodyLimitBytes of createGateway)',
    { code: 'request_too_large', ...(headers ? { headers } : {}) },
  );
}

/**
 * The 400 for a body `JSON.parse` refused, with what it found and where (`Expected double-quoted property name in JSON
 * at position 7 (line 1 column 8)`), unless its message quotes the body: V8 quotes a snippet after an unexpected token,
 * and an error never echoes what a client sent.
 */
export function invalidJson(error: unknown): HttpError {
  const found = error instanceof Error && !error.message.includes('"') ? `: ${error.message}` : '';
  return httpError(400, `The request body is not valid JSON${found}; send one JSON object`, { code: 'invalid_json' });
}
