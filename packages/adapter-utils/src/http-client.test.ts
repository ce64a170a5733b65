import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiCallError,
  ConnectionError,
  InvalidResponseError,
  TargetUnavailableError,
  toSwitchyardError,
} from '@switchyard/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchTransport } from './fetch-transport.js';
import { HttpClient } from './http-client.js';
import { createUndiciTransport, type HttpTransport } from './http-transport.js';

let server: Server;
let baseURL: string;
const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
/** Emits `endless-closed` when the server side of an endless answer closes (the client let go of it). */
const serverEvents = new EventEmitter();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/v1/ok')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else if (req.url?.startsWith('/v1/busy'))
        res.writeHead(429, { 'retry-after': '3' }).end('{"error":{"message":"slow down, key sk-live-123"}}');
      else if (req.url?.startsWith('/v1/html')) res.writeHead(200).end('<html>');
      else if (req.url?.startsWith('/v1/big'))
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: 'm'.repeat(4096) }));
      else if (req.url?.startsWith('/v1/chunks')) {
        res.writeHead(200, [
          'Content-Type',
          'text/plain',
          'X-Upstream-Id',
          'u-1',
          ...(req.url.includes('repeated') ? ['X-Repeated', 'first', 'x-repeated', 'second'] : []),
        ]);
        res.write('one,');
        setImmediate(() => res.write('two,'));
        setTimeout(() => res.end('three'), 5);
      } else if (req.url?.startsWith('/v1/cut')) {
        // One chunk, then the connection is cut before the body's end.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('one,');
        setTimeout(() => res.socket?.destroy(), 5);
      } else if (req.url?.startsWith('/v1/endless')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const kilobyte = 'x'.repeat(1024);
        const timer = setInterval(() => res.write(kilobyte), 1);
        res.on('close', () => {
          clearInterval(timer);
          serverEvents.emit('endless-closed');
        });
      } else res.writeHead(404).end('{"error":"model \'x\' not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/?api-version=2`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// Every behaviour holds on both transports: undici (Node) and the global fetch (browsers, workers).
describe.each([
  ['undici', createUndiciTransport()],
  ['fetch', createFetchTransport()],
])('HttpClient on %s', (name, transport: HttpTransport) => {
  it('sends JSON to the base path with the base query, its headers and the per-request hook', async () => {
    const client = new HttpClient({
      target: 'gpu',
      baseURL,
      transport,
      headers: { authorization: 'Bearer sk-live-123' },
      requestHeaders: ({ method }) => ({
        traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`,
        'x-method': method,
      }),
    });
    expect(await client.getJson({ method: 'POST', path: '/ok', json: { a: 1 } })).toEqual({ ok: true });
    const last = seen.at(-1)!;
    expect(last.url).toBe('/v1/ok?api-version=2');
    expect(last.body).toBe('{"a":1}');
    expect(last.headers).toMatchObject({
      authorization: 'Bearer sk-live-123',
      'content-type': 'application/json',
      traceparent: expect.stringMatching(/^00-1{32}-2{16}-01$/),
      'x-method': 'POST',
    });
  });

  it("sends a call's trace context as traceparent and tracestate, and nothing for an untraced call", async () => {
    const client = new HttpClient({ target: 'gpu', baseURL, transport });
    const traceContext = { traceparent: `00-${'3'.repeat(32)}-${'4'.repeat(16)}-01`, tracestate: 'yard=7' };
    await client.getJson({ method: 'POST', path: '/ok', json: {}, traceContext });
    expect(seen.at(-1)?.headers).toMatchObject(traceContext);
    await client.getJson({ method: 'POST', path: '/ok', json: {} });
    expect(seen.at(-1)?.headers.traceparent).toBeUndefined();
  });

  it('turns an error status into an ApiCallError with Retry-After, the server message, and secrets redacted', async () => {
    const client = new HttpClient({ target: 'gpu', baseURL, secrets: ['sk-live-123'], transport });
    const error = (await client.send({ path: '/busy' }).catch((e: unknown) => e)) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 3000, isRetryable: true, target: 'gpu' });
    expect(error.message).toContain('429 Too Many Requests (slow down, key [redacted])');
    expect(JSON.stringify(error)).not.toContain('sk-live');
  });

  it("lets the adapter turn a protocol's error into its own error", async () => {
    const client = new HttpClient({
      target: 'ollama',
      baseURL,
      transport,
      mapApiError: (error) =>
        error.status === 404
          ? new TargetUnavailableError({ target: 'ollama', reason: 'not pulled', cause: error })
          : undefined,
    });
    await expect(client.send({ path: '/chat' })).rejects.toSatisfy(TargetUnavailableError.isInstance);
  });

  it('hangs paths off a base that is an origin alone, and takes an absolute url instead of a path', async () => {
    const origin = new URL(baseURL).origin;
    const client = new HttpClient({ target: 'gpu', baseURL: origin, transport });
    expect(client.url('/v1/ok').href).toBe(`${origin}/v1/ok`);
    expect(await client.getJson({ path: '/v1/ok' })).toEqual({ ok: true });
    expect(await client.getJson({ url: new URL(`${origin}/v1/ok?probe=1`) })).toEqual({ ok: true });
    expect(seen.at(-1)?.url).toBe('/v1/ok?probe=1');
  });

  it('names the URL of an answer that is not JSON without a query-string key', async () => {
    const client = new HttpClient({
      target: 'gpu',
      baseURL: `${new URL(baseURL).origin}/v1?api-key=sk-query-9`,
      transport,
    });
    const error = await client.getJson({ path: '/html' }).catch((caught: unknown) => caught);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain('sk-query-9');
  });

  it("caps what getJson reads at the client's maxResponseBytes and names the setting", async () => {
    const capped = new HttpClient({ target: 'gpu', baseURL, transport, maxResponseBytes: 1024 });
    const error = (await capped.getJson({ path: '/big' }).catch((caught: unknown) => caught)) as InvalidResponseError;
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('larger than 1024 bytes');
    expect(error.message).toContain('`maxResponseBytes`');
    const uncapped = new HttpClient({ target: 'gpu', baseURL, transport });
    expect(((await uncapped.getJson({ path: '/big' })) as { models: string }).models).toHaveLength(4096);
  });

  it('rejects an answer that is not a JSON object with InvalidResponseError; probe never throws for a status', async () => {
    const client = new HttpClient({ target: 'gpu', baseURL, transport });
    await expect(client.getJson({ path: '/html' })).rejects.toSatisfy(InvalidResponseError.isInstance);
    expect(await client.probe({ path: '/missing' })).toEqual({
      status: 404,
      text: '{"error":"model \'x\' not found"}',
    });
  });

  it('answers with lower-case headers and a body that a loop may leave early and another pick up, then text', async () => {
    const url = (path: string) => new URL(`${new URL(baseURL).origin}/v1/${path}`);
    const response = await transport.request({ method: 'GET', url: url('chunks'), headers: {} });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['x-upstream-id']).toBe('u-1');
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      break;
    }
    for await (const chunk of response.body) text += decoder.decode(chunk, { stream: true });
    expect(text).toBe('one,two,three');
    response.release();
    response.cancel();
    const whole = await transport.request({ method: 'GET', url: url('chunks?repeated'), headers: {} });
    expect(await whole.text()).toBe('one,two,three');
    expect(whole.headers['x-upstream-id']).toBe('u-1');
    // A repeated header: undici keeps the first value, fetch's Headers joins them (the platform's own rule).
    expect(whole.headers['x-repeated']).toBe(name === 'undici' ? 'first' : 'first, second');
  });

  it('release() lets go of a body that keeps sending after a bound; cancel() ends one at once and twice is safe', async () => {
    const url = new URL(`${new URL(baseURL).origin}/v1/endless`);
    for (const finish of ['release', 'cancel'] as const) {
      const closed = once(serverEvents, 'endless-closed');
      const response = await transport.request({ method: 'GET', url, headers: {} });
      for await (const chunk of response.body) {
        expect(chunk.byteLength).toBeGreaterThan(0);
        break;
      }
      response[finish]();
      response[finish]();
      await closed;
    }
  });

  it('a body cut off before its end, or aborted while a loop waits for it, fails that loop after what did arrive', async () => {
    const origin = new URL(baseURL).origin;
    const decoder = new TextDecoder();
    const cut = await transport.request({ method: 'GET', url: new URL(`${origin}/v1/cut`), headers: {} });
    let text = '';
    const read = async () => {
      for await (const chunk of cut.body) text += decoder.decode(chunk, { stream: true });
    };
    const failure = await read().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(text).toBe('one,');
    expect(failure).toBeInstanceOf(Error);
    cut.cancel();

    const controller = new AbortController();
    const endless = await transport.request({
      method: 'GET',
      url: new URL(`${origin}/v1/endless`),
      headers: {},
      signal: controller.signal,
    });
    const closed = once(serverEvents, 'endless-closed');
    let chunks = 0;
    const aborted = (async () => {
      for await (const chunk of endless.body) {
        expect(chunk.byteLength).toBeGreaterThan(0);
        chunks += 1;
        if (chunks === 2) controller.abort(new Error('stop reading'));
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(await aborted).toBeInstanceOf(Error);
    expect(chunks).toBe(2);
    endless.cancel();
    await closed;
  });

  it('a refused connection is a retryable ConnectionError naming the target and the socket error', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const { port } = dead.address() as AddressInfo;
    await new Promise((resolve) => dead.close(resolve));
    const client = new HttpClient({ target: 'gpu', baseURL: `http://127.0.0.1:${port}/v1`, transport });
    const error = toSwitchyardError(await client.send({ path: '/ok' }).catch((e: unknown) => e), { target: 'gpu' });
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ target: 'gpu', systemCode: 'ECONNREFUSED', isRetryable: true });
  });
});
