import { connect, createServer, type Socket } from 'node:net';

/** A TCP pass-through that records every byte a client sends, before any HTTP parsing. */
export interface ByteTap {
  /** `http://127.0.0.1:<port>`: point clients here instead of at the upstream. */
  readonly url: string;
  /** Every byte received from clients so far, all connections concatenated. */
  received(): Buffer;
  /** Connections clients have opened so far. */
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a sniffing hop in front of `upstream` (an `http://host:port` origin). It counts bytes at the TCP level, so
 * even a request that was cut off before its body finished, or a bare connection, shows up: "zero bytes" means zero.
 */
export async function startByteTap(upstream: string): Promise<ByteTap> {
  const { hostname, port } = new URL(upstream);
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections += 1;
    const origin = connect(Number(port), hostname);
    for (const socket of [client, origin]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        origin.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    client.pipe(origin);
    origin.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const tapPort = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${tapPort}`,
    received: () => Buffer.concat(chunks),
    connections: () => connections,
    reset() {
      chunks.length = 0;
      connections = 0;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
