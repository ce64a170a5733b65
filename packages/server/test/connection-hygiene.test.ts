import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gateway } from '../src/index.js';
import { createGateway } from '../src/index.js';

// Loopback 127.0.0.0/8 lets a test be several client addresses: the stalling clients come from 127.0.0.2.
function openFrom(port: number, localAddress: string, send: string | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      if (send !== undefined) socket.write(send);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
const closed = (socket: Socket) =>
  socket.destroyed || socket.readyState === 'closed'
    ? Promise.resolve()
    : new Promise<void>((resolve) => socket.once('close', () => resolve()));

describe('gateway connection hygiene (the router answers from a scripted in-process target)', () => {
  let gateway: Gateway;
  let port: number;
  let url: string;
  const router = createRouter({ targets: { device: createScriptedTarget({ script: [{ text: 'hello' }] }) } });

  beforeAll(async () => {
    gateway = createGateway({ router, headersTimeoutMs: 1000, maxConnectionsPerAddress: 50 });
    url = await gateway.listen({ port: 0 });
    port = Number(new URL(url).port);
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 100 });
    await router.dispose();
  });

  it('drops 200 clients that never finish their headers within seconds, capped per address, and serves others meanwhile', async () => {
    const startedAt = performance.now();
    // Half send a partial request line and headers, half send nothing at all.
    const stalling = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        openFrom(
          port,
          '127.0.0.2',
          index % 2 === 0 ? 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' : undefined,
        ),
      ),
    );
    const ends = stalling.map((socket) => {
      socket.on('error', () => undefined);
      return closed(socket).then(() => performance.now() - startedAt);
    });
    // Another client address is served while they stall.
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 }),
    });
    expect(response.status).toBe(200);
    const times = await Promise.all(ends);
    const sorted = [...times].sort((a, b) => a - b);
    // 150 were over the per-address cap: closed on arrival, long before the headers timeout.
    expect(sorted.filter((ms) => ms < 900)).toHaveLength(150);
    console.info(
      `[connection-hygiene] over-cap sockets closed after ${sorted[149]!.toFixed(0)} ms at most; ` +
        `stalled sockets closed after ${sorted[150]!.toFixed(0)}-${sorted[199]!.toFixed(0)} ms (headers timeout 1000 ms)`,
    );
    // Once they are gone, the address may connect again.
    const again = await openFrom(
      port,
      '127.0.0.2',
      'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      again.on('data', (chunk: Buffer) => (text += chunk.toString()));
      again.once('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
  });
});

/** A POST on `agent` (keep-alive, one socket), its status, headers and whole body. */
function post(
  agent: Agent,
  url: string,
  path: string,
  body: unknown,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json' },
    });
    request.once('error', reject);
    request.once('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    request.end(JSON.stringify(body));
  });
}
const chatBody = (stream: boolean) => ({
  model: 'switchyard/auto',
  messages: [{ role: 'user', content: 'Hi' }],
  max_tokens: 4,
  stream,
});

describe('connections over time: the first-request timer, keep-alive, shutdown (a scripted in-process target answers)', () => {
  it('a keep-alive connection serves several slow requests, idle gaps between them, past the first-request timer', async () => {
    // Every answer takes longer than the timer that guards a connection's first request, and the client idles longer
    // than it between requests: the timer is the first request's only, so the one connection carries all of them.
    const router = createRouter({
      targets: { device: createScriptedTarget({ script: [{ text: 'slow hello', firstTokenDelayMs: 400 }] }) },
    });
    const gateway = createGateway({ router, headersTimeoutMs: 150 });
    const sockets: Socket[] = [];
    gateway.server.on('connection', (socket: Socket) => sockets.push(socket));
    const url = await gateway.listen({ port: 0 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const stream of [false, true, false]) {
        const answer = await post(agent, url, '/v1/chat/completions', chatBody(stream));
        expect(answer.status).toBe(200);
        expect(answer.text).toContain(stream ? 'data: [DONE]' : 'slow hello');
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(sockets).toHaveLength(1);
      expect(sockets[0]?.destroyed).toBe(false);
    } finally {
      agent.destroy();
      await gateway.close({ graceMs: 100 });
      await router.dispose();
    }
  });

  it('answers in flight when close() begins say connection: close, JSON and event stream, with their request ids', async () => {
    // Remote, so both requests run at once (a local target queues them).
    const target = createScriptedTarget({
      locality: 'remote',
      script: [{ text: 'late hello', firstTokenDelayMs: 300 }],
    });
    const router = createRouter({ targets: { device: target } });
    const gateway = createGateway({ router });
    const url = await gateway.listen({ port: 0 });
    const agent = new Agent({ keepAlive: true });
    try {
      const answers = Promise.all([
        post(agent, url, '/v1/chat/completions', chatBody(false)),
        post(agent, url, '/v1/chat/completions', chatBody(true)),
      ]);
      await vi.waitFor(() => expect(target.active).toBe(2));
      const closed = gateway.close({ graceMs: 10_000 });
      const [json, stream] = await answers;
      await closed;
      for (const answer of [json, stream]) {
        expect(answer.status).toBe(200);
        expect(answer.headers.connection).toBe('close');
        expect(answer.headers['x-request-id']).toMatch(/^[\da-f-]{36}$/);
        expect(answer.headers['x-switchyard-target']).toBe('device');
      }
      expect(json.headers['content-type']).toBe('application/json');
      expect(Number(json.headers['content-length'])).toBe(Buffer.byteLength(json.text));
      expect(JSON.parse(json.text).choices[0].message.content).toBe('late hello');
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(stream.text).toContain('data: [DONE]');
    } finally {
      agent.destroy();
      await router.dispose();
    }
  });

  it("a gateway mounted in the user's own node:http server leaves that server's socket timeouts alone", async () => {
    const router = createRouter({ targets: { device: createScriptedTarget({ script: [{ text: 'hello' }] }) } });
    const gateway = createGateway({ router, headersTimeoutMs: 150 });
    const timeouts: (number | undefined)[] = [];
    const own = createServer((request, response) => {
      gateway.handle(request, response);
      timeouts.push(request.socket.timeout);
    });
    // The user's own idle policy for its sockets (Node applies it to each connection and each request after the
    // first), which the gateway's handler must not clear.
    own.timeout = 45_000;
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const stream of [false, true]) {
        const answer = await post(agent, url, '/v1/chat/completions', chatBody(stream));
        expect(answer.status).toBe(200);
      }
      expect(timeouts).toEqual([45_000, 45_000]);
    } finally {
      agent.destroy();
      own.closeAllConnections();
      await new Promise<void>((resolve) => own.close(() => resolve()));
      await gateway.close({ graceMs: 100 });
      await router.dispose();
    }
  });
});
