import { request as httpRequest } from 'node:http';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, GatewayOptions } from '../src/index.js';
import { createGateway, parseConfig } from '../src/index.js';
import { configProblemsOf } from './config-problems.js';

const chatBody = JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] });
const page = 'http://127.0.0.1:5173';
const listed = 'https://app.example.com';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One raw HTTP request: fetch on Node refuses to set `Origin` and `Host` as a browser would (they are forbidden
 * request headers in the Fetch standard), so the test writes them itself.
 */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${url}/v1/chat/completions`, { method, headers }, (answer) => {
      let text = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => {
        text += chunk;
      });
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A "simple" cross-origin POST as a page sends it: a Blob body, so no Content-Type and no preflight. */
const simplePost = (url: string, headers: Record<string, string>) => send(url, 'POST', headers, chatBody);

const preflight = (url: string, origin: string, extra: Record<string, string> = {}) =>
  send(url, 'OPTIONS', {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization,content-type,x-stainless-os',
    ...extra,
  });

describe('web origins at the gateway (the router answers from a scripted in-process target)', () => {
  const target = createScriptedTarget({ script: [{ text: 'hello' }] });
  const router = createRouter({ targets: { device: target } });
  let closed: Gateway;
  let open: Gateway;
  let any: Gateway;
  let closedURL: string;
  let openURL: string;
  let anyURL: string;

  beforeAll(async () => {
    // No auth token: the case where nothing but the origin check stands between a web page and the target.
    closed = createGateway({ router });
    open = createGateway({ router, allowedOrigins: [listed, page] });
    any = createGateway({ router, allowedOrigins: ['*'] });
    closedURL = await closed.listen({ port: 0 });
    openURL = await open.listen({ port: 0 });
    anyURL = await any.listen({ port: 0 });
  });
  afterAll(async () => {
    await Promise.all([closed, open, any].map((gateway) => gateway?.close({ graceMs: 100 })));
    await router.dispose();
  });

  it('refuses a simple cross-origin POST with 403 origin_not_allowed, and the target is never called', async () => {
    const before = target.calls.length;
    const answer = await simplePost(closedURL, { origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const { error } = JSON.parse(answer.body) as { error: { code: string; message: string; type: string } };
    expect(error.code).toBe('origin_not_allowed');
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain('"https://evil.example"');
    expect(error.message).toContain('gateway.allowedOrigins');
    expect(error.message).toContain('Requests without an Origin header (servers, CLIs, SDKs) are unaffected');
    expect(target.calls.length).toBe(before);
  });

  it('refuses a page on another port of the same host (another loopback app is another origin)', async () => {
    const before = target.calls.length;
    const port = new URL(closedURL).port;
    const answer = await simplePost(closedURL, { origin: `http://127.0.0.1:${Number(port) + 1}` });
    expect(answer.status).toBe(403);
    expect(target.calls.length).toBe(before);
  });

  it('answers a request without Origin exactly as before, with no CORS headers', async () => {
    const before = target.calls.length;
    const answer = await simplePost(closedURL, {});
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers.vary).toBeUndefined();
    expect(target.calls.length).toBe(before + 1);
  });

  it("allows the gateway's own origin (its host and port are the Host header), with no CORS headers", async () => {
    const host = new URL(closedURL).host;
    const answer = await simplePost(closedURL, { origin: `http://${host}`, host });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    // Behind a TLS proxy the page is https while the gateway sees http: the host and port decide.
    const port = new URL(closedURL).port;
    const proxied = await simplePost(closedURL, { origin: `https://localhost:${port}`, host: `localhost:${port}` });
    expect(proxied.status).toBe(200);
  });

  it('refuses a DNS name that matches Host on a loopback connection (DNS rebinding), unless the host is allowed', async () => {
    const before = target.calls.length;
    // A page on http://rebind.example:<port> whose name the attacker re-pointed at 127.0.0.1: Origin and Host match.
    // The Host check refuses it first (gateway-host.test.ts); listing the origin alone does not let it in either.
    const port = new URL(closedURL).port;
    const rebound = { origin: `http://rebind.example:${port}`, host: `rebind.example:${port}` };
    const answer = await simplePost(closedURL, rebound);
    expect(answer.status).toBe(403);
    expect((JSON.parse(answer.body) as { error: { code: string } }).error.code).toBe('host_not_allowed');
    expect(target.calls.length).toBe(before);
    // Listing the name in allowedHosts is how a local alias (or a local proxy that keeps Host) is allowed: a page
    // served under it is then the gateway's own origin, with no allowedOrigins entry.
    const aliased = createGateway({ router, allowedHosts: ['gateway.test'] });
    const url = await aliased.listen({ port: 0 });
    try {
      const ok = await simplePost(url, { origin: 'http://gateway.test:8787', host: 'gateway.test:8787' });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBeUndefined();
      expect(target.calls.length).toBe(before + 1);
      // Another page posting to that name is still another origin.
      const other = await simplePost(url, { origin: 'http://evil.example:8787', host: 'gateway.test:8787' });
      expect((JSON.parse(other.body) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
    } finally {
      await aliased.close({ graceMs: 100 });
    }
  });

  it('allows a listed origin and answers with Access-Control-Allow-Origin, Vary and the route headers exposed', async () => {
    const before = target.calls.length;
    const answer = await simplePost(openURL, { origin: listed, 'content-type': 'application/json' });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(listed);
    expect(answer.headers.vary).toBe('Origin');
    expect(answer.headers['access-control-expose-headers']).toContain('x-switchyard-target');
    expect(answer.headers['x-switchyard-target']).toBe('device');
    expect(target.calls.length).toBe(before + 1);
    // Its errors carry them too, so the page can read why.
    const wrong = await send(openURL, 'POST', { origin: listed, 'content-type': 'application/json' }, '{');
    expect(wrong.status).toBe(400);
    expect(wrong.headers['access-control-allow-origin']).toBe(listed);
  });

  it('carries CORS headers on a streamed answer to a listed origin', async () => {
    const body = JSON.stringify({ ...JSON.parse(chatBody), stream: true });
    const answer = await send(openURL, 'POST', { origin: page, 'content-type': 'application/json' }, body);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('text/event-stream');
    expect(answer.headers['access-control-allow-origin']).toBe(page);
    expect(answer.body).toContain('data: [DONE]');
  });

  it('matches listed origins exactly: another scheme, port or subdomain is refused', async () => {
    for (const origin of ['http://app.example.com', 'https://app.example.com:8443', 'https://x.app.example.com']) {
      expect((await simplePost(openURL, { origin })).status).toBe(403);
    }
  });

  it('"*" allows every origin, echoing it', async () => {
    const answer = await simplePost(anyURL, { origin: 'https://anywhere.example' });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('https://anywhere.example');
    expect(answer.headers.vary).toBe('Origin');
  });

  it("answers a listed origin's preflight with 204, the methods, the requested headers and a max-age", async () => {
    const before = target.calls.length;
    const answer = await preflight(openURL, listed, { 'access-control-request-private-network': 'true' });
    expect(answer.status).toBe(204);
    expect(answer.body).toBe('');
    expect(answer.headers['access-control-allow-origin']).toBe(listed);
    expect(answer.headers['access-control-allow-methods']).toBe('GET, POST');
    expect(answer.headers['access-control-allow-headers']).toBe('authorization, content-type, x-stainless-os');
    expect(answer.headers['access-control-max-age']).toBe('600');
    expect(answer.headers['access-control-allow-private-network']).toBe('true');
    expect(String(answer.headers.vary)).toContain('Origin');
    expect(target.calls.length).toBe(before);
  });

  it('refuses the preflight of an origin that is not listed with 403', async () => {
    const answer = await preflight(closedURL, 'https://evil.example');
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect((JSON.parse(answer.body) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
  });

  it('answers OPTIONS without Origin as before (405 naming the method)', async () => {
    const answer = await send(closedURL, 'OPTIONS', {});
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
  });

  it('checks the origin before auth: a refused page learns nothing about the token', async () => {
    const guarded = createGateway({ router, authToken: 'origin-test-token-123456' });
    const url = await guarded.listen({ port: 0 });
    try {
      const answer = await simplePost(url, { origin: 'https://evil.example' });
      expect(answer.status).toBe(403);
      const allowed = await simplePost(url, {});
      expect(allowed.status).toBe(401);
    } finally {
      await guarded.close({ graceMs: 100 });
    }
  });
});

describe('allowedOrigins of the wrong shape', () => {
  const router = createRouter({ targets: { device: createScriptedTarget({ locality: 'local' }) } });

  it.each([
    ['a trailing slash', 'https://app.example.com/', 'use "https://app.example.com"'],
    ['a path', 'https://app.example.com/chat', 'use "https://app.example.com"'],
    ['capitals', 'https://App.Example.com', 'use "https://app.example.com"'],
    ['a default port', 'https://app.example.com:443', 'use "https://app.example.com"'],
    ['no scheme', 'app.example.com', 'expected an http or https origin'],
    ['another scheme', 'file:///index.html', 'expected an http or https origin'],
  ])('createGateway refuses an entry with %s, naming it and the fix', (_label, entry, fix) => {
    const problems = configProblemsOf(() => createGateway({ router, allowedOrigins: ['*', entry] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^allowedOrigins\[1\]: /);
    expect(problems[0]).toContain(fix);
  });

  it('createGateway refuses a string instead of a list', () => {
    expect(
      configProblemsOf(() => createGateway({ router, allowedOrigins: listed } as unknown as GatewayOptions)),
    ).toEqual(['allowedOrigins: expected a list of origins, e.g. ["https://app.example.com"]']);
  });

  it('the config file refuses a bad gateway.allowedOrigins entry at load, naming the path and the fix', () => {
    const targets = { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'big' } };
    const problems = configProblemsOf(() =>
      parseConfig({ targets, gateway: { allowedOrigins: ['http://localhost:5173', 'http://localhost:5173/'] } }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('gateway.allowedOrigins');
    expect(problems[0]).toContain('use "http://localhost:5173"');
    const good = parseConfig({ targets, gateway: { allowedOrigins: ['*', listed] } });
    expect(good.gateway?.allowedOrigins).toEqual(['*', listed]);
  });
});
