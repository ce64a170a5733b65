import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidResponseError, type SwitchyardError, type TargetCall } from '@switchyard/contract';
import { eventually, type OversizedAnswer, sendOversized } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget as createFetchTarget } from '../src/browser/index.js';
import { createOpenAITarget, type OpenAISettings, type OpenAITarget } from '../src/index.js';

// generate()'s JSON answer is read with a cap (`maxResponseBytes`), so a broken or hostile server cannot make the
// adapter buffer without bound. A real loopback server (no llama-server can be made to send an endless body), both
// transports: undici (Node entry) and fetch (browser entry, run in Node).

const call: TargetCall = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 };
const apiKey = 'sk-test-secret-0123456789';
const small = JSON.stringify({
  choices: [{ message: { content: 'Hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1 },
});

/** How the server answers: a small JSON body, a body that never ends, or a content-length past the cap. */
type Mode = 'small' | 'endless' | 'declared-large';

let mode: Mode = 'small';
/** The last oversized answer: bytes written and whether the adapter closed its connection. */
let oversized: OversizedAnswer | undefined;
const sockets = new Set<Socket>();
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (mode === 'small') res.writeHead(200, { 'content-type': 'application/json' }).end(small);
    // A JSON string that never closes: endless, or a content-length of 64 MiB and then silence.
    else
      oversized = sendOversized(
        res,
        '{"choices":[{"message":{"content":"',
        mode === 'declared-large',
        'application/json',
      );
  });
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
let baseURL = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as SwitchyardError,
  );

describe.each([
  ['undici transport (Node entry)', createOpenAITarget],
  ['fetch transport (browser entry)', createFetchTarget],
] as const)('generate() reads at most maxResponseBytes, %s', (_, create) => {
  function target(settings: Partial<OpenAISettings> = {}): OpenAITarget {
    return create({ baseURL, model: 'm', apiKey, timeoutMs: 10_000, ...settings });
  }

  it('reads an answer within the cap', async () => {
    mode = 'small';
    const gpu = target({ maxResponseBytes: small.length });
    const answer = await gpu.generate(call);
    expect(answer.text).toBe('Hello');
    expect(answer.usage).toEqual({ inputTokens: 3, outputTokens: 1 });
  });

  it('fails a body that never ends with a typed, non-retryable error naming the cap and closes the connection', async () => {
    mode = 'endless';
    const gpu = target({ maxResponseBytes: 1024 * 1024 });
    const error = await failure(gpu.generate(call));
    expect(InvalidResponseError.isInstance(error), String(error)).toBe(true);
    expect(error?.isRetryable).toBe(false);
    expect(error?.message).toContain('larger than 1048576 bytes');
    expect(error?.message).toContain('`maxResponseBytes`');
    expect(JSON.stringify(error)).not.toContain(apiKey);
    // The connection was destroyed: the server stops sending and sees it close.
    expect(await eventually(() => oversized?.socketClosed === true)).toBe(true);
    expect(oversized?.bytesSent).toBeLessThan(64 * 1024 * 1024);
    // A server that is up but sent too much is still a server that answers: the target stays ready.
    expect(gpu.status().state).toBe('ready');
    await gpu.dispose?.();
  });

  it('fails a content-length past the cap before reading the body', async () => {
    mode = 'declared-large';
    const gpu = target();
    const error = await failure(gpu.generate(call));
    expect(InvalidResponseError.isInstance(error), String(error)).toBe(true);
    expect(error?.isRetryable).toBe(false);
    expect(error?.message).toContain(`larger than ${32 * 1024 * 1024} bytes`);
    expect(await eventually(() => oversized?.socketClosed === true)).toBe(true);
    await gpu.dispose?.();
  });

  it('rejects a maxResponseBytes that is not a positive integer, naming the field', () => {
    expect(() => target({ maxResponseBytes: 0 })).toThrow(/maxResponseBytes/);
  });
});
