import { redactUrl } from '../redact.js';
import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.api-call');

/** HTTP statuses worth retrying on the same endpoint: timeout, conflict, rate limit and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * An HTTP endpoint answered with an error status. The message reads `[POST] "url": 503 Service Unavailable`;
 * query-string secrets in the URL are redacted and the API key never appears.
 */
export class ApiCallError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly url: string;
  readonly method: string;
  readonly status: number;
  /** From the `Retry-After` header (seconds or HTTP date), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The start of the response body (at most 1 KB), for diagnostics. */
  readonly responseBody: string | undefined;

  constructor(options: {
    url: string;
    method?: string;
    status: number;
    statusText?: string;
    retryAfterMs?: number;
    responseBody?: string;
    detail?: string;
    target?: string;
    isRetryable?: boolean;
    cause?: unknown;
  }) {
    const method = options.method ?? 'POST';
    const url = redactUrl(options.url);
    const statusText = options.statusText ?? '';
    const detail = options.detail ? ` (${options.detail})` : '';
    super({
      code: 'api-call',
      message: `[${method}] "${url}": ${options.status}${statusText ? ` ${statusText}` : ''}${detail}`,
      target: options.target,
      isRetryable: options.isRetryable ?? isRetryableStatus(options.status),
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'ApiCallError';
    this.url = url;
    this.method = method;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.responseBody = options.responseBody?.slice(0, 1024);
  }

  static override isInstance(error: unknown): error is ApiCallError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), url: this.url, status: this.status, retryAfterMs: this.retryAfterMs };
  }
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date. Returns milliseconds (never negative), or `undefined`
 * when absent or unparseable.
 */
export function parseRetryAfter(
  value: string | string[] | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined || header === null) return undefined;
  const trimmed = header.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
