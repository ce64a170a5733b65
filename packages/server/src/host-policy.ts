import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { HttpError } from './http-errors.js';
import { httpError, shortenedForMessage } from './http-errors.js';

/**
 * Why the `Host` header must be checked on a loopback connection (DNS rebinding): a page on `attacker.example:8787`
 * whose name the attacker re-points at 127.0.0.1 becomes, to the browser, same-origin with a gateway on the user's
 * loopback. Browsers send no `Origin` on a same-origin GET, so the origin check never sees it, and the page could read
 * `/v1/models`, `/health` and a public `/metrics` (the targets, models and traffic). The one thing such a request
 * cannot hide is the name it was sent to: the `Host` header. Vite (`server.allowedHosts`), webpack-dev-server
 * (`allowedHosts`) and Jupyter refuse unknown hosts the same way.
 *
 * Only loopback connections are checked: a gateway reached over the LAN or in a container is reached by names and
 * addresses this process cannot know (a proxy's, a service name, a port forward), and there a browser on another
 * machine is not "the user's loopback": auth (`authToken`, `keys`) is what guards it.
 */

/** Why `entry` is not a valid `allowedHosts` entry, or `undefined` when it is. */
export function allowedHostProblem(entry: unknown): string | undefined {
  if (entry === '*') return undefined;
  const example = 'e.g. "gateway.test", or ".example.com" for it and its subdomains, or "*" to switch the check off';
  if (typeof entry !== 'string' || entry === '') return `expected a host name, ${example}`;
  if (entry.startsWith('*.')) return `a leading "." stands for the subdomains: use "${entry.slice(1)}"`;
  const name = entry.startsWith('.') ? entry.slice(1) : entry;
  // A URL or host:port as someone might paste it: the fix is its host name (any port is allowed).
  const parsed = URL.canParse(name) && /^[a-z][a-z0-9+.-]*:\/\//i.test(name) ? new URL(name) : undefined;
  const asHost = parsed ?? (URL.canParse(`http://${name}`) ? new URL(`http://${name}`) : undefined);
  if (asHost === undefined || asHost.hostname === '') return `expected a host name, ${example}`;
  const prefix = entry.startsWith('.') ? '.' : '';
  if (asHost.username !== '' || asHost.password !== '' || asHost.hostname !== name.toLowerCase()) {
    // Only the host name is shown (never the whole value: it could carry a path or credentials).
    return `expected a host name alone (no scheme, port or path; any port is allowed): use "${prefix}${asHost.hostname}"`;
  }
  return undefined;
}

/** `Host` as a browser sends it: a bracketed IPv6 address or a name (no user info, path or spaces), then a port. */
const hostHeader = /^(\[[0-9a-f:.]+\]|[^\s:[\]/?#@\\]+)(:\d{0,5})?$/i;

/**
 * Whether a host name is one no DNS answer can re-point: an IP address, or `localhost` and its subdomains (RFC 6761;
 * browsers resolve them to loopback themselves). `hostname` as in a URL: lower case, IPv6 in brackets.
 */
export function isRebindProof(hostname: string): boolean {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name.startsWith('[') && name.endsWith(']')) return isIP(name.slice(1, -1)) === 6;
  return isIP(name) === 4;
}

/** Whether the socket's own address is a loopback one (IPv4 127/8, IPv6 `::1`, or 127/8 mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/**
 * Decides, per request, whether the name it was sent to may reach the gateway: on a loopback connection the `Host`
 * must be rebind-proof ({@link isRebindProof}) or listed in `allowedHosts` (`"*"` switches the check off). A request
 * with no `Host` (HTTP/1.0) passes: browsers always send one, so it cannot be a rebound page.
 */
export class HostPolicy {
  readonly #any: boolean;
  readonly #exact: ReadonlySet<string>;
  /** `.example.com` entries as `example.com` (the name itself) and `.example.com` (a suffix of its subdomains). */
  readonly #suffixes: readonly string[];
  /** The last `Host` value allowed: clients send the same one on every request, so most checks are one comparison. */
  #lastAllowed: string | undefined;

  constructor(allowedHosts: readonly string[] = []) {
    this.#any = allowedHosts.includes('*');
    const names = allowedHosts.filter((entry) => entry !== '*').map((entry) => withoutTrailingDot(entry.toLowerCase()));
    this.#exact = new Set(names.map((entry) => (entry.startsWith('.') ? entry.slice(1) : entry)));
    this.#suffixes = names.filter((entry) => entry.startsWith('.'));
  }

  /** The refusal to answer with, or `undefined` when the request may go on. */
  check(request: IncomingMessage): HttpError | undefined {
    const host = request.headers.host;
    if (this.#any || host === undefined || host === '' || host === this.#lastAllowed) return undefined;
    if (!isLoopbackAddress(request.socket.localAddress)) return undefined;
    const hostname = hostHeader.exec(host)?.[1];
    if (hostname !== undefined && this.names(hostname.toLowerCase())) {
      this.#lastAllowed = host;
      return undefined;
    }
    return hostNotAllowed(host);
  }

  /**
   * Whether `hostname` (lower case, IPv6 in brackets) is a name of this gateway: rebind-proof, or listed by name. `"*"`
   * does not count: it lets every `Host` through, not every page on such a name post as the gateway's own origin.
   */
  names(hostname: string): boolean {
    if (isRebindProof(hostname)) return true;
    const name = withoutTrailingDot(hostname);
    return this.#exact.has(name) || this.#suffixes.some((suffix) => name.endsWith(suffix));
  }
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function hostNotAllowed(host: string): HttpError {
  return httpError(
    403,
    `Requests to the host name "${shortenedForMessage(host)}" are not allowed on this loopback address: any web site ` +
      'can re-point its own name at 127.0.0.1 (DNS rebinding) and read the answers, so the gateway answers only to ' +
      'localhost, *.localhost and IP addresses. To reach it under this name, add the name to allowedHosts ' +
      '(createGateway) or gateway.allowedHosts (switchyard.config.json) or pass --allowed-hosts (switchyard serve), ' +
      'e.g. ["gateway.test"] or [".example.com"] for a domain and its subdomains, or ["*"] to switch the check off',
    { type: 'invalid_request_error', code: 'host_not_allowed' },
  );
}
