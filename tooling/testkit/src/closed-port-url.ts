import { type AddressInfo, createServer } from 'node:net';

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
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
