import type { AddressInfo, Server } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeSignalSource, SignalChange } from '../src/index.js';
import { createNodeSignals } from '../src/index.js';

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

const servers: Server[] = [];
const sources: NodeSignalSource[] = [];

afterAll(async () => {
  for (const source of sources) source.dispose();
  await Promise.all(servers.map(close));
});

describe('network reachability of the remote targets', () => {
  it('is online while a target accepts TCP connections and reports going offline when it stops', async () => {
    const server = await listen();
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    const signals = createNodeSignals({
      refreshMs: 60_000,
      reachability: { urls: [`http://127.0.0.1:${port}/v1`], intervalMs: 60_000, timeoutMs: 2000 },
      // This test is about the targets; whether this VM has a network link is not.
      readers: { interfacesUp: () => true },
    });
    sources.push(signals);
    expect((await signals.refresh()).network?.online).toBe(true);

    const changes: SignalChange[] = [];
    signals.subscribe((_device, changed) => changes.push(...changed));
    await close(server);
    expect((await signals.refresh()).network?.online).toBe(false);
    expect(changes).toContainEqual({ kind: 'online', from: true, to: false });
  });

  it('is online when any one of several targets answers', async () => {
    const up = await listen();
    const down = await listen();
    servers.push(up, down);
    const downPort = (down.address() as AddressInfo).port;
    await close(down);
    const signals = createNodeSignals({
      reachability: {
        urls: [`http://127.0.0.1:${downPort}`, `http://127.0.0.1:${(up.address() as AddressInfo).port}`],
      },
      readers: { interfacesUp: () => true },
    });
    sources.push(signals);
    expect((await signals.refresh()).network?.online).toBe(true);
  });

  it('is offline when no interface is up, even if a loopback target answers', async () => {
    const server = await listen();
    servers.push(server);
    const signals = createNodeSignals({
      reachability: { urls: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`] },
      readers: { interfacesUp: () => false },
    });
    sources.push(signals);
    expect((await signals.refresh()).network?.online).toBe(false);
  });

  it('follows the interfaces alone when no targets are configured', async () => {
    const signals = createNodeSignals({ readers: { interfacesUp: () => true } });
    sources.push(signals);
    expect((await signals.refresh()).network?.online).toBe(true);
  });
});
