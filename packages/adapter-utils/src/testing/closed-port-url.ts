import { freePort } from './free-port.js';

/**
 * The origin of a loopback port that was free a moment ago and is closed now (bound, then released), so connecting
 * to it is refused: the stand-in for a server that is not running.
 *
 * @example
 * ```ts
 * const target = createOllamaTarget({ model: 'tiny', baseURL: await closedPortURL() }); // ECONNREFUSED
 * ```
 */
export async function closedPortURL(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
