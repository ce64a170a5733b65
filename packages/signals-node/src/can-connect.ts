import { connect } from 'node:net';

/**
 * Opens a TCP connection to `host:port` and closes it at once: a cheap reachability check of a target's own
 * endpoint (no HTTP request, nothing sent). Resolves `false` on error or after `timeoutMs`; never rejects.
 */
export function canConnect(target: { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const finish = (reachable: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
