import type { InputProblem } from '@switchyard/contract';
import { InvalidConfigError, longestTimerMs } from '@switchyard/contract';
import { allowedHostProblem } from './host-policy.js';
import { allowedOriginProblem } from './origin-policy.js';

/**
 * Checks `createGateway`'s options before the server starts, so a mistake is an `InvalidConfigError` naming the option
 * instead of a gateway that fails open or answers every request with a 500. Found by probing: an empty `authToken`
 * served `/v1/*` without auth; `bodyLimitBytes` of `NaN` or `'1kb'` lifted the body limit, `-1` refused every body;
 * `router: {}` answered 500 to every request; no options threw a TypeError. Values are never echoed.
 */
export function checkGatewayOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidConfigError({
      problems: [{ path: 'options', message: 'expected an options object, e.g. createGateway({ router })' }],
    });
  }
  const {
    router,
    authToken,
    keys,
    bodyLimitBytes,
    log,
    logger,
    maxConnectionsPerAddress,
    allowedOrigins,
    allowedHosts,
  } = options as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const routerMethods = ['plan', 'generate', 'stream'];
  if (
    typeof router !== 'object' ||
    router === null ||
    routerMethods.some((method) => typeof (router as Record<string, unknown>)[method] !== 'function')
  ) {
    problems.push({ path: 'router', message: 'expected a router from createRouter() in @switchyard/core' });
  }
  if (authToken !== undefined && (typeof authToken !== 'string' || authToken.length === 0)) {
    problems.push({
      path: 'authToken',
      message: 'expected a non-empty string; leave authToken out to serve without auth (an empty one is not "no auth")',
    });
  }
  if (keys !== undefined && !Array.isArray(keys)) {
    problems.push({ path: 'keys', message: 'expected a list of { name, sha256, limits? }' });
  }
  listProblems(
    problems,
    'allowedOrigins',
    allowedOrigins,
    allowedOriginProblem,
    'a list of origins, e.g. ["https://app.example.com"]',
  );
  listProblems(
    problems,
    'allowedHosts',
    allowedHosts,
    allowedHostProblem,
    'a list of host names, e.g. ["gateway.test"], or ["*"] to switch the check off',
  );
  if (bodyLimitBytes !== undefined && !isWhole(bodyLimitBytes, 1, Number.MAX_SAFE_INTEGER)) {
    problems.push({ path: 'bodyLimitBytes', message: 'expected a positive whole number of bytes, e.g. 1048576' });
  }
  for (const key of ['headersTimeoutMs', 'requestTimeoutMs', 'shutdownGraceMs']) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && !isWhole(value, 0, longestTimerMs)) {
      problems.push({ path: key, message: `expected a whole number of ms from 0 to ${longestTimerMs}` });
    }
  }
  if (
    maxConnectionsPerAddress !== undefined &&
    maxConnectionsPerAddress !== Number.POSITIVE_INFINITY &&
    !isWhole(maxConnectionsPerAddress, 1, Number.MAX_SAFE_INTEGER)
  ) {
    problems.push({ path: 'maxConnectionsPerAddress', message: 'expected a positive whole number or Infinity' });
  }
  if (log !== undefined && typeof log !== 'function') {
    problems.push({ path: 'log', message: 'expected a function that takes one line of text' });
  }
  if (logger !== undefined && typeof (logger as { info?: unknown } | null)?.info !== 'function') {
    problems.push({ path: 'logger', message: 'expected a logger with info(), e.g. createJsonLogger()' });
  }
  if (problems.length > 0) throw new InvalidConfigError({ problems });
}

/** The problems of an optional list option: not a list, or each entry `entryProblem` finds wrong. */
function listProblems(
  problems: InputProblem[],
  path: string,
  value: unknown,
  entryProblem: (entry: unknown) => string | undefined,
  expected: string,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push({ path, message: `expected ${expected}` });
    return;
  }
  value.forEach((entry: unknown, index) => {
    const message = entryProblem(entry);
    if (message !== undefined) problems.push({ path: `${path}[${index}]`, message });
  });
}

function isWhole(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
