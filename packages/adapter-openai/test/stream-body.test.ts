import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidResponseError, type StreamPart, type TargetCall } from '@switchyard/contract';
import { sseChunk as chunk, collect, sseDone as done, eventually } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget } from '../src/index.js';

const call: TargetCall = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 };
const answer = chunk({ content: 'Hello' }) + chunk({}, 'stop');

/** How the server goes on after it wrote `[DONE]`. */
type After = 'end-later' | 'hold' | 'flood';
/** A chunk the server writes as one piece instead of `answer` + `[DONE]`. */
type Burst = string | undefined;

/** A loopback SSE server that counts the connections it accepted and can misbehave after `[DONE]`. */
async function startServer() {
  let after: After = 'end-later';
  let burst: Burst;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (burst !== undefined) {
        res.end(burst);
        return;
      }
      res.write(answer + done);
      if (after === 'end-later') {
        // The end arrives in a later network chunk than [DONE], as it often does from real servers.
        setTimeout(() => res.end(), 5);
      } else if (after === 'flood') {
        res.write(`: ${'x'.repeat(256 * 1024)}\n\n`);
        held.add(res);
      } else {
        held.add(res);
      }
    });
  });
  server.on('connection', (socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set(next: { after?: After; burst?: Burst }) {
      after = next.after ?? 'end-later';
      burst = next.burst;
    },
    accepted: () => accepted,
    open: () => sockets.size,
    async close() {
      for (const res of held) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('adapter-openai stream bodies', () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keeps its connection for the next stream when the server ends the response after [DONE]', async () => {
    server.set({ after: 'end-later' });
    const target = createOpenAITarget({ baseURL: `${server.url}/v1`, model: 'm', connections: 1 });
    const before = server.accepted();
    for (let index = 0; index < 5; index += 1) {
      const parts = await collect(target.stream(call));
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    }
    // Destroying each body at [DONE] would have closed its socket and opened a new one per stream.
    expect(server.accepted() - before).toBe(1);
    await target.dispose?.();
    expect(await eventually(() => server.open() === 0)).toBe(true);
  });

  it('finishes at [DONE] and closes the connection of a server that floods it afterwards', async () => {
    server.set({ after: 'flood' });
    const target = createOpenAITarget({ baseURL: `${server.url}/v1`, model: 'm' });
    const parts = await collect(target.stream(call));
    expect(parts).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    expect(await eventually(() => server.open() === 0)).toBe(true);
    await target.dispose?.();
  });

  it('finishes at [DONE] and closes the connection of a server that never ends the response', async () => {
    server.set({ after: 'hold' });
    const target = createOpenAITarget({ baseURL: `${server.url}/v1`, model: 'm' });
    const parts = await collect(target.stream(call));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(await eventually(() => server.open() === 0)).toBe(true);
    await target.dispose?.();
  });

  it('hands over the first text of a network chunk before parsing the rest of it', async () => {
    server.set({ burst: `${chunk({ content: 'first' })}data: {"choices": [not json\n\n${done}` });
    const target = createOpenAITarget({ baseURL: `${server.url}/v1`, model: 'm' });
    const seen: StreamPart[] = [];
    let error: unknown;
    try {
      for await (const part of target.stream(call)) seen.push(part);
    } catch (caught) {
      error = caught;
    }
    expect(seen).toEqual([{ type: 'text-delta', text: 'first' }]);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    await target.dispose?.();
  });
});
