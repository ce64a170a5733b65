import { redactUrl } from '../redact.js';
import { hasMarker, SwitchyardError } from './switchyard-error.js';

const marker = /* @__PURE__ */ Symbol.for('switchyard.error.connection');

/** The connection failed: refused, reset, DNS, TLS. Retryable. `systemCode` is e.g. `ECONNREFUSED`. */
export class ConnectionError extends SwitchyardError {
  declare readonly [marker]: true;
  readonly url: string;
  readonly systemCode: string | undefined;

  constructor(options: { url: string; systemCode?: string; detail?: string; target?: string; cause?: unknown }) {
    const url = redactUrl(options.url);
    const what = options.systemCode ?? options.detail ?? 'connection failed';
    super({
      code: 'connection',
      message: `Connection to "${url}" failed: ${what}`,
      target: options.target,
      isRetryable: true,
      cause: options.cause,
    });
    this[marker] = true;
    this.name = 'ConnectionError';
    this.url = url;
    this.systemCode = options.systemCode;
  }

  static override isInstance(error: unknown): error is ConnectionError {
    return hasMarker(error, marker);
  }
}
