import type { IncomingMessage } from 'node:http';
import { HostPolicy, isLoopbackAddress } from './host-policy.js';
import type { HttpError } from './http-errors.js';
import { httpError, shortenedForMessage } from './http-errors.js';

/**
 * Why a web page's origin must be checked at all: a page on any site can make a "simple" cross-origin POST (a Blob
 * body sends no Content-Type and no preflight; `mode: 'no-cors'` likewise) to a gateway on the user's machine. The
 * browser hides the answer, but the request runs: it spends the user's remote-model budget and uses their device.
 * Browsers send `Origin` on every such request; servers, CLIs and SDKs send none, so only pages are affected.
 */

/** What {@link OriginPolicy.check} decided: no `Origin` (as before), an allowed cross-origin, or a refusal. */
export type OriginDecision =
  | { kind: 'no-origin' }
  | { kind: 'same-origin' }
  | { kind: 'cross-origin'; origin: string }
  | { kind: 'refused'; error: HttpError };

// Shared answers: every request of a server or SDK client (no Origin) is checked, so it allocates nothing.
const noOrigin: OriginDecision = { kind: 'no-origin' };
const sameOrigin: OriginDecision = { kind: 'same-origin' };

/** Methods and headers a preflight allows; the answer is cached by the browser for `maxAgeSeconds`. */
const allowedMethods = 'GET, POST';
const alwaysAllowedHeaders = ['authorization', 'content-type'];
/** Chromium caps a preflight cache at 2 h; 10 min keeps a changed `allowedOrigins` from lingering long. */
const maxAgeSeconds = '600';
/** Response headers a page may read: where the answer ran, the request id, and when to retry. */
const exposedHeaders = 'x-switchyard-target, x-switchyard-locality, x-request-id, retry-after';
/** A header list as a preflight sends it: field names (RFC 9110 tokens) separated by commas. */
const headerList = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/**
 * Why `entry` is not a valid `allowedOrigins` entry, or `undefined` when it is: `*`, or an exact http(s) origin as a
 * browser sends it (scheme, host, the port when it is not the default; no path, no trailing slash, lower case).
 */
export function allowedOriginProblem(entry: unknown): string | undefined {
  if (entry === '*') return undefined;
  const example = 'e.g. "https://app.example.com" or "http://localhost:5173", or "*" for every origin';
  if (typeof entry !== 'string') return `expected an origin string, ${example}`;
  const parsed = URL.canParse(entry) ? new URL(entry) : undefined;
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return `expected an http or https origin, ${example}`;
  }
  if (parsed.origin !== entry) {
    // Only the normalised origin is shown (never the whole value: it could carry a path or credentials).
    return `expected an exact origin as browsers send it (scheme://host[:port], no path or trailing slash, lower case): use "${parsed.origin}"`;
  }
  return undefined;
}

/**
 * Decides, per request, whether a browser page may use the gateway, and writes the CORS answer when it may. A request
 * without `Origin` is never affected. One whose `Origin` is the gateway's own (its host and port equal the `Host`
 * header) is allowed; any other origin must be listed in `allowedOrigins` (`*` allows every one).
 */
export class OriginPolicy {
  readonly #any: boolean;
  readonly #listed: ReadonlySet<string>;
  readonly #hosts: HostPolicy;

  /** `hosts`: the gateway's {@link HostPolicy}, whose names count as the gateway's own on a loopback connection. */
  constructor(allowedOrigins: readonly string[] = [], hosts = new HostPolicy()) {
    this.#any = allowedOrigins.includes('*');
    this.#listed = new Set(allowedOrigins);
    this.#hosts = hosts;
  }

  check(request: IncomingMessage): OriginDecision {
    const origin = request.headers.origin;
    if (origin === undefined) return noOrigin;
    if (this.#listed.has(origin)) return { kind: 'cross-origin', origin };
    if (this.#isSameOrigin(origin, request.headers.host, request.socket.localAddress)) return sameOrigin;
    if (this.#any) return { kind: 'cross-origin', origin };
    return { kind: 'refused', error: originNotAllowed(origin) };
  }

  /**
   * Whether the `Origin` names the host and port the request was sent to (its `Host` header); the scheme is not
   * compared, since a TLS proxy in front changes it. On a loopback connection the host must also be a name of the
   * gateway ({@link HostPolicy.names}: a loopback name, an IP address, or listed in `allowedHosts`): a page on
   * `http://attacker.example:8787` whose name the attacker re-points at 127.0.0.1 (DNS rebinding) sends a matching
   * `Host`, and nothing else tells it from the gateway's own origin.
   */
  #isSameOrigin(origin: string, host: string | undefined, localAddress: string | undefined): boolean {
    if (host === undefined || !URL.canParse(origin)) return false;
    const parsed = new URL(origin);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    const target = `${parsed.protocol}//${host}`;
    // Both through URL, so a default port ("localhost:80" from http://localhost) and letter case compare equal.
    if (!URL.canParse(target) || new URL(target).host !== parsed.host) return false;
    return !isLoopbackAddress(localAddress) || this.#hosts.names(parsed.hostname);
  }

  /** Whether `request` is a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`). */
  static isPreflight(request: IncomingMessage, method: string): boolean {
    return method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  }

  /** Headers every answer to an allowed cross-origin request carries. */
  static responseHeaders(origin: string): Record<string, string> {
    return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': exposedHeaders };
  }

  /** The headers of a 204 answer to an allowed preflight. */
  static preflightHeaders(request: IncomingMessage, origin: string): Record<string, string> {
    const requested = request.headers['access-control-request-headers'];
    const names = new Set(alwaysAllowedHeaders);
    if (typeof requested === 'string' && headerList.test(requested.trim())) {
      for (const name of requested.split(',')) names.add(name.trim().toLowerCase());
    }
    const headers: Record<string, string> = {
      'access-control-allow-origin': origin,
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'access-control-allow-methods': allowedMethods,
      'access-control-allow-headers': [...names].join(', '),
      'access-control-max-age': maxAgeSeconds,
      'content-length': '0',
    };
    // Chromium's Private Network Access: a page on a public site asks before it may reach a loopback or LAN address.
    if (request.headers['access-control-request-private-network'] === 'true') {
      headers['access-control-allow-private-network'] = 'true';
    }
    return headers;
  }
}

function originNotAllowed(origin: string): HttpError {
  return httpError(
    403,
    `Requests from the web origin "${shortenedForMessage(origin)}" are not allowed: a page on another site must not spend this gateway's ` +
      'budget or device. To allow it, add the origin to allowedOrigins (createGateway) or gateway.allowedOrigins ' +
      '(switchyard.config.json), e.g. ["https://app.example.com"], or "*" for every origin. Requests without an ' +
      'Origin header (servers, CLIs, SDKs) are unaffected',
    { type: 'invalid_request_error', code: 'origin_not_allowed' },
  );
}
