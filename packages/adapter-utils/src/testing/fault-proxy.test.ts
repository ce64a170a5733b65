import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

const events = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: {"n":3}\n\n', 'data: [DONE]\n\n'];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
}

/** A plain node:http client, so the proxy is tested without the adapter. */
function send(url: string, path: string, body = '{"prompt":"hi"}', timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve) => {
    let text = '';
    const req = request(
      `${url}${path}`,
      { method: 'POST', agent: false, headers: { authorization: 'Bearer sk-sniffed' } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', (error) =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, error: String(error) }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', (error) =>
      resolve({ status: 0, headers: {}, body: text, error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    req.end(body);
  });
}

describe('startFaultProxy', () => {
  let upstream: Server;
  let upstreamURL: string;
  let proxy: FaultProxy;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      if (req.url === '/ndjson') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end('{"n":1}\n{"n":2}\n{"n":3}\n');
        return;
      }
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of events) res.write(event);
      res.end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    proxy = await startFaultProxy({ upstream: upstreamURL });
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('passes requests through unchanged when no fault is set', async () => {
    const answer = await send(proxy.url, '/v1/chat/completions');
    expect(proxy.openResponses()).toBe(0);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(events.join(''));
  });

  it('records every byte of every request, headers included', async () => {
    proxy.clearRequests();
    await send(proxy.url, '/v1/chat/completions', '{"prompt":"my email is a@b.example"}');
    expect(proxy.requests).toHaveLength(1);
    expect(proxy.requests[0]?.path).toBe('/v1/chat/completions');
    expect(proxy.requests[0]?.body.toString()).toBe('{"prompt":"my email is a@b.example"}');
    const received = proxy.received().toString();
    expect(received).toMatch(/^POST \/v1\/chat\/completions HTTP\/1\.1\r\n/);
    expect(received).toContain('Bearer sk-sniffed');
    expect(received).toContain('a@b.example');
  });

  it('answers a status fault with Retry-After without contacting the upstream', async () => {
    proxy.setFault({ type: 'status', status: 429, retryAfter: 3 });
    const answer = await send(proxy.url, '/v1/chat/completions');
    proxy.setFault(null);
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('3');
  });

  it('applies queued faults one per request before the standing fault', async () => {
    proxy.setFault({ type: 'status', status: 500 });
    proxy.queueFaults({ type: 'status', status: 503 }, null);
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await send(proxy.url, '/x')).status);
    proxy.setFault(null);
    expect(statuses).toEqual([503, 200, 500]);
    expect(proxy.requests.slice(-3).map((entry) => entry.fault?.type ?? null)).toEqual(['status', null, 'status']);
  });

  it('drops only the [DONE] event', async () => {
    proxy.setFault({ type: 'drop-done' });
    const answer = await send(proxy.url, '/stream');
    proxy.setFault(null);
    expect(answer.body).toBe(events.slice(0, 3).join(''));
  });

  it('resets the connection after N events', async () => {
    proxy.setFault({ type: 'reset-after-events', events: 2 });
    const answer = await send(proxy.url, '/stream');
    proxy.setFault(null);
    expect(answer.error).toBeDefined();
    expect(answer.body).toBe(events.slice(0, 2).join(''));
  });

  it('sends malformed data after N events and ends cleanly when asked to', async () => {
    proxy.setFault({ type: 'malformed-sse', afterEvents: 1, data: '{oops' });
    const malformed = await send(proxy.url, '/stream');
    proxy.setFault({ type: 'end-after-events', events: 1 });
    const truncated = await send(proxy.url, '/stream');
    proxy.setFault(null);
    expect(malformed.body).toBe(`${events[0]}data: {oops\n\n`);
    expect(truncated.error).toBeUndefined();
    expect(truncated.body).toBe(events[0]);
  });

  it('stalls after N events with the connection still open until the client gives up', async () => {
    proxy.setFault({ type: 'hang-after-events', events: 2 });
    const answer = await send(proxy.url, '/stream', '{}', 300);
    proxy.setFault(null);
    expect(answer.error).toBeDefined();
    expect(answer.body).toBe(events.slice(0, 2).join(''));
  });

  it('delays the first byte and still forwards the answer', async () => {
    proxy.setFault({ type: 'delay-first-byte', ms: 50 });
    const answer = await send(proxy.url, '/json');
    proxy.setFault(null);
    expect(answer.body).toBe('{"ok":true}');
  });

  it('hangs until the client gives up, and close() frees hung connections', async () => {
    const own = await startFaultProxy({ upstream: upstreamURL, fault: { type: 'hang' } });
    const pending = send(own.url, '/json', '{}', 60_000);
    for (let tries = 0; tries < 200 && own.requests.length === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(own.openConnections()).toBe(1);
    expect(own.openResponses()).toBe(1);
    await own.close();
    const answer = await pending;
    for (let tries = 0; tries < 200 && own.openResponses() > 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(own.openResponses()).toBe(0);
    expect(answer.status).toBe(0);
    expect(answer.error).toBe('ECONNRESET');
  });

  it('resets before the first byte', async () => {
    proxy.setFault({ type: 'reset-before-first-byte' });
    const answer = await send(proxy.url, '/stream');
    proxy.setFault(null);
    expect(answer.status).toBe(0);
    expect(answer.error).toBe('ECONNRESET');
  });

  it('cuts the event after N in half and ends cleanly, counting NDJSON lines as events', async () => {
    proxy.setFault({ type: 'truncate-after-events', events: 1 });
    const sse = await send(proxy.url, '/stream');
    const ndjson = await send(proxy.url, '/ndjson');
    proxy.setFault(null);
    expect(sse.error).toBeUndefined();
    expect(sse.body).toBe(`${events[0]}data: {"n`);
    expect(ndjson.body).toBe('{"n":1}\n{"n":');
  });

  it('sends an oversized unterminated event after N events and keeps the connection open', async () => {
    proxy.setFault({ type: 'oversized-event', events: 1, bytes: 300_000 });
    const answer = await send(proxy.url, '/stream', '{}', 300);
    proxy.setFault(null);
    expect(answer.error).toBeDefined();
    expect(answer.body.startsWith(`${events[0]}data: {"pad":"xxx`)).toBe(true);
    expect(answer.body.length).toBe((events[0] ?? '').length + 300_000);
    expect(answer.body.slice(events[0]?.length).includes('\n')).toBe(false);
  });

  it('names the upstream setting and the fix when it is not a plain http: URL', async () => {
    await expect(startFaultProxy({ upstream: 'https://user:secret@127.0.0.1:1' })).rejects.toThrow(
      /^startFaultProxy: upstream: expected an http: URL .* like http:\/\/127\.0\.0\.1:8080 .*got a https: URL$/,
    );
    await expect(startFaultProxy({ upstream: '127.0.0.1:8080' })).rejects.toThrow(/upstream: .*got no URL$/);
    await expect(startFaultProxy({ upstream: 'https://user:secret@127.0.0.1:1' })).rejects.not.toThrow(/secret/);
  });

  it('hands out the URL of a closed port, which refuses connections', async () => {
    const answer = await send(await proxy.closedURL(), '/json');
    expect(answer.error).toBe('ECONNREFUSED');
  });
});
