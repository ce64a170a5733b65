import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { Agent, errors } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciTransport } from './http-transport.js';

/**
 * What the server under test does with a connection's requests:
 * - `llama-server`: answers the first with a chunked stream and `Keep-Alive: timeout=5, max=100`, then closes the
 *   connection without answering the next one, as llama-server (cpp-httplib) does after every streamed response. The
 *   close waits for the next request to arrive, so the race a loaded machine loses now and then is lost every time.
 * - `mid-body`: sends the headers and one chunk of the first answer, then closes.
 * - `silent`: closes the connection as soon as its first request arrives, without a byte of answer.
 */
type Behaviour = 'llama-server' | 'mid-body' | 'silent';

let server: Server;
let origin: string;
let behaviour: Behaviour = 'llama-server';
/** Every request that arrived: its connection's number, the body, and whether it was answered. */
const arrived: { connection: number; body: string; answered: boolean }[] = [];
const sockets = new Set<Socket>();

function onRequest(socket: Socket, connection: number, index: number, body: string): void {
  const answer = behaviour === 'llama-server' ? index === 0 : behaviour === 'mid-body';
  arrived.push({ connection, body, answered: answer && behaviour === 'llama-server' });
  if (!answer) {
    socket.end();
    return;
  }
  const head =
    'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n' +
    'Keep-Alive: timeout=5, max=100\r\n\r\n';
  const event = `data: ${body}\n\n`;
  const chunk = `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`;
  if (behaviour === 'mid-body') socket.end(`${head}${chunk}`);
  else socket.write(`${head}${chunk}0\r\n\r\n`);
}

beforeAll(async () => {
  let connections = 0;
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const connection = connections++;
    let buffered = '';
    let index = 0;
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.slice(end + 4, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        onRequest(socket, connection, index++, body);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  arrived.length = 0;
  for (const socket of sockets) socket.destroy();
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

function post(transport: ReturnType<typeof createUndiciTransport>, body: string) {
  return transport.request({
    method: 'POST',
    url: new URL('/v1/chat/completions', origin),
    headers: { 'content-type': 'application/json' },
    body,
  });
}

describe('createUndiciTransport against a loopback stand-in for llama-server (closes keep-alive connections itself)', () => {
  it('sends a request again when the server closed the reused connection without answering it', async () => {
    behaviour = 'llama-server';
    const agent = new Agent({ connections: 1 });
    const transport = createUndiciTransport(agent);
    try {
      // The second request queues behind the stream on the one connection and is written onto it the moment the
      // stream ends; the server then closes that connection, as llama-server does after a streamed response.
      const [first, second] = await Promise.all([post(transport, '"one"'), post(transport, '"two"')]);
      expect(await first.text()).toBe('data: "one"\n\n');
      expect(await second.text()).toBe('data: "two"\n\n');
      expect(arrived).toEqual([
        { connection: 0, body: '"one"', answered: true },
        { connection: 0, body: '"two"', answered: false },
        { connection: 1, body: '"two"', answered: true },
      ]);
    } finally {
      await agent.close();
    }
  });

  it('sends it again as often as it lands behind another stream on one connection (at most 3 times)', async () => {
    behaviour = 'llama-server';
    const agent = new Agent({ connections: 1 });
    const transport = createUndiciTransport(agent);
    try {
      const bodies = ['"1"', '"2"', '"3"', '"4"'];
      const responses = await Promise.all(bodies.map((body) => post(transport, body)));
      expect(await Promise.all(responses.map((response) => response.text()))).toEqual(
        bodies.map((body) => `data: ${body}\n\n`),
      );
      // Each connection answers one request and closes on the next; every request is answered exactly once.
      const answered = arrived.filter((request) => request.answered).map((request) => request.body);
      expect(answered.sort()).toEqual(bodies);
      expect(arrived.filter((request) => !request.answered).length).toBeGreaterThan(1);
    } finally {
      await agent.close();
    }
  });

  it('does not send it again when the answer had started (a POST is not generated twice)', async () => {
    behaviour = 'mid-body';
    const agent = new Agent({ connections: 1 });
    try {
      const response = await post(createUndiciTransport(agent), '"once"');
      await expect(response.text()).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
      expect(arrived.map((request) => request.body)).toEqual(['"once"']);
    } finally {
      await agent.close();
    }
  });

  it('does not send it again when a new connection was closed (nothing proves the server did not read it)', async () => {
    behaviour = 'silent';
    const agent = new Agent({ connections: 1 });
    try {
      await expect(post(createUndiciTransport(agent), '"once"')).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
      expect(arrived.map((request) => request.body)).toEqual(['"once"']);
    } finally {
      await agent.close();
    }
  });
});

describe('createUndiciTransport over a stand-in dispatcher that always fails (no server closes every connection)', () => {
  it('sends a request at most 3 times more, and not at all for an error that proves nothing', async () => {
    let calls = 0;
    const failing = (error: Error) =>
      ({
        request: () => {
          calls += 1;
          return Promise.reject(error);
        },
      }) as unknown as Agent;
    const reused = new errors.SocketError('other side closed', { bytesRead: 1024 } as never);
    await expect(post(createUndiciTransport(failing(reused)), '"x"')).rejects.toBe(reused);
    expect(calls).toBe(4);
    calls = 0;
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(post(createUndiciTransport(failing(reset)), '"x"')).rejects.toBe(reset);
    expect(calls).toBe(1);
  });
});
