/**
 * Why a target is `unavailable`, as a stable code beside the human `reason`, so tools (`switchyard doctor`, dashboards)
 * can pick a fix without parsing English:
 *
 * - `unreachable`: nothing answers at the target's address (connection refused, DNS, network down).
 * - `timeout`: the status probe did not finish in time.
 * - `unauthorized`: the server rejected the credentials (401 / 403).
 * - `not-found`: the server answered 404 for the model or its health path.
 * - `model-missing`: the model is not on the runtime (not pulled, not in the repository, no file on disk).
 * - `not-ready`: the runtime answers but says the model cannot serve now (unloaded, failed to load on the server).
 * - `unsupported-model`: the model cannot do what the target needs (an embedding model where chat is expected).
 * - `download-failed`: fetching the model failed; the next call retries.
 * - `load-failed`: the model exists but could not be loaded (corrupt file, not enough memory, wrong format).
 * - `probe-failed`: the status probe failed in another way (an unexpected status or answer).
 * - `disposed`: the target was disposed.
 * - `overridden`: a caller forced the status (signal overrides, a plan's signals file).
 */
export const unavailableCodes = [
  'unreachable',
  'timeout',
  'unauthorized',
  'not-found',
  'model-missing',
  'not-ready',
  'unsupported-model',
  'download-failed',
  'load-failed',
  'probe-failed',
  'disposed',
  'overridden',
] as const;

/** One of {@link unavailableCodes}. */
export type UnavailableCode = (typeof unavailableCodes)[number];
