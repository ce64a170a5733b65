import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamPart, Target, TargetCall } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { createGateway } from '../src/index.js';

const pieceText = 'x'.repeat(16 * 1024);

/** A target that streams 16 KB text deltas for as long as it is read, counting them and noticing when it is stopped. */
function createEndlessTarget() {
  const seen = { yielded: 0, stopped: false };
  const target: Target = {
    specificationVersion: 'v1',
    id: 'endless:local',
    locality: 'local',
    capabilities: { contextWindow: 8192, maxOutputTokens: 1_000_000, tools: false, jsonSchema: false, images: false },
    status: () => ({ state: 'ready' }),
    async generate() {
      throw new Error('not used');
    },
    async *stream(call: TargetCall): AsyncGenerator<StreamPart> {
      try {
        while (!call.signal?.aborted) {
          seen.yielded += 1;
          yield { type: 'text-delta', text: pieceText };
          // A real model's tokens arrive over time; a macrotask between pieces lets the gateway's writes happen.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        seen.stopped = true;
      }
    },
  };
  return { target, seen };
}

/** Polls `read` until it returns the same value twice in a row, 100 ms apart (the producer stopped). */
async function settled(read: () => number): Promise<number> {
  let last = read();
  for (let round = 0; round < 100; round += 1) {
    await sleep(100);
    const now = read();
    if (now === last) return now;
    last = now;
  }
  throw new Error('the producer never stopped');
}

describe('gateway streaming backpressure (the router reads an in-process endless target: no real server streams forever)', () => {
  let gateway: Gateway;
  let port: number;
  const { target, seen } = createEndlessTarget();
  const router = createRouter({ targets: { endless: target } });

  beforeAll(async () => {
    gateway = createGateway({ router, metrics: false });
    const url = await gateway.listen({ port: 0 });
    port = Number(new URL(url).port);
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 100 });
    await router.dispose();
  });

  it('stops pulling from the router while the client does not read, resumes when it reads, and stops the target when it leaves', async () => {
    const body = JSON.stringify({
      model: 'switchyard/auto',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const socket: Socket = await new Promise((resolve, reject) => {
      const client = connect({ host: '127.0.0.1', port }, () => resolve(client));
      client.once('error', reject);
    });
    socket.on('error', () => undefined);
    // Nothing is read: the kernel buffers fill, then the gateway's response buffer.
    socket.pause();
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const held = await settled(() => seen.yielded);
    expect(held).toBeGreaterThan(0);
    // Without backpressure the target would be read without end (gigabytes in memory); held, it is a few MB at most
    // (socket buffers plus one high-water mark of the response).
    expect(held * pieceText.length).toBeLessThan(64 * 1024 * 1024);
    expect(seen.stopped).toBe(false);

    // Reading lets the stream go on.
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    while (seen.yielded < held + 50) await sleep(10);
    expect(received).toBeGreaterThan(0);

    // Leaving stops the target (the gateway aborts the router, which returns the target's stream).
    socket.destroy();
    while (!seen.stopped) await sleep(10);
    expect(seen.stopped).toBe(true);
  });
});
