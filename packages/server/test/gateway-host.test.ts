import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, GatewayOptions } from '../src/index.js';
import { configJsonSchema, createGateway, parseConfig } from '../src/index.js';
import { configProblemsOf } from './config-problems.js';

const chatBody = JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] });

interface Answer {
  status: number;
  body: string;
}

/**
 * One raw HTTP request with the `Host` header forged: what a DNS-rebound page sends (its own name, the gateway's
 * port). fetch on Node refuses to set `Host` (a forbidden header in the Fetch standard), node:http does not.
 */
function send(url: string, path: string, host: string, init: { method?: string; headers?: object } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const method = init.method ?? 'GET';
    const headers = { host, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...init.headers };
    const outgoing = httpRequest(`${url}${path}`, { method, headers }, (answer) => {
      let body = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => {
        body += chunk;
      });
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(method === 'POST' ? chatBody : undefined);
  });
}

const errorOf = (answer: Answer) =>
  (JSON.parse(answer.body) as { error: { code: string; type: string; message: string } }).error;

/** A request with no `Host` at all, as HTTP/1.0 allows (Node's client always adds one, so written by hand). */
function sendWithoutHost(url: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET ${path} HTTP/1.0\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/** This machine's first non-loopback IPv4 address, if it has one (to serve as a LAN address would). */
function nonLoopbackAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    const found = entries?.find((entry) => entry.family === 'IPv4' && !entry.internal);
    if (found) return found.address;
  }
  return undefined;
}

describe('the Host header on a loopback connection (DNS rebinding; the target is a scripted in-process one)', () => {
  const target = createScriptedTarget({ script: [{ text: 'hello' }] });
  const router = createRouter({ targets: { device: target } });
  const gateways: Gateway[] = [];
  let url: string;
  let port: string;

  async function start(options: Omit<GatewayOptions, 'router'>, host = '127.0.0.1'): Promise<string> {
    const gateway = createGateway({ router, ...options });
    gateways.push(gateway);
    return gateway.listen({ port: 0, host });
  }

  beforeAll(async () => {
    // No auth token and a public /metrics: the case where nothing else stands between a rebound page and the data.
    url = await start({ metrics: { public: true } });
    port = new URL(url).port;
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close({ graceMs: 100 })));
    await router.dispose();
  });

  it.each([
    ['GET', '/v1/models'],
    ['GET', '/v1/models/device'],
    ['GET', '/health'],
    ['HEAD', '/health'],
    ['GET', '/metrics'],
    ['POST', '/v1/chat/completions'],
    ['OPTIONS', '/v1/chat/completions'],
    ['GET', '/no-such-route'],
  ])('refuses %s %s for a rebound name with 403 host_not_allowed, and no target runs', async (method, path) => {
    const before = target.calls.length;
    const answer = await send(url, path, `attacker.example:${port}`, { method });
    expect(answer.status).toBe(403);
    if (method !== 'HEAD') {
      const error = errorOf(answer);
      expect(error.code).toBe('host_not_allowed');
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toContain(`"attacker.example:${port}"`);
      // The fix, in each of the three places it can be made.
      expect(error.message).toContain('allowedHosts (createGateway)');
      expect(error.message).toContain('gateway.allowedHosts (switchyard.config.json)');
      expect(error.message).toContain('--allowed-hosts (switchyard serve)');
      // Nothing of what the page came for.
      expect(answer.body).not.toContain('device');
    }
    expect(target.calls.length).toBe(before);
  });

  it('refuses a rebound name on the default port and in any letter case', async () => {
    for (const host of ['attacker.example', 'ATTACKER.example:80', 'localhost.attacker.example', 'evil@127.0.0.1']) {
      expect((await send(url, '/v1/models', host)).status, host).toBe(403);
    }
  });

  it('checks the host before auth: a refused page learns nothing about the token, even with the right one', async () => {
    const guarded = await start({ authToken: 'host-test-token-123456' });
    const withToken = { headers: { authorization: 'Bearer host-test-token-123456' } };
    const refused = await send(guarded, '/v1/models', 'attacker.example', withToken);
    expect(errorOf(refused).code).toBe('host_not_allowed');
    expect((await send(guarded, '/v1/models', new URL(guarded).host)).status).toBe(401);
    expect((await send(guarded, '/v1/models', new URL(guarded).host, withToken)).status).toBe(200);
  });

  it('answers IP addresses, localhost and *.localhost under any port and letter case', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      '127.0.0.1',
      '127.0.0.2:9',
      `localhost:${port}`,
      'LocalHost',
      'localhost.',
      `app.sub.localhost:${port}`,
      '[::1]:8787',
      '[::ffff:127.0.0.1]',
      '192.168.1.20:8787',
    ]) {
      expect((await send(url, '/v1/models', host)).status, host).toBe(200);
    }
    const before = target.calls.length;
    const answer = await send(url, '/v1/chat/completions', `localhost:${port}`, { method: 'POST' });
    expect(answer.status).toBe(200);
    expect(target.calls.length).toBe(before + 1);
  });

  it('answers a gateway listening on ::1, and refuses a rebound name there too', async (context) => {
    let v6: string;
    try {
      v6 = await start({}, '::1');
    } catch {
      context.skip('no IPv6 loopback on this machine');
      return;
    }
    expect((await send(v6, '/health', new URL(v6).host)).status).toBe(200);
    expect((await send(v6, '/health', 'attacker.example')).status).toBe(403);
  });

  it('answers a request without Host (HTTP/1.0): browsers always send one, so it is no rebound page', async () => {
    const reply = await sendWithoutHost(url, '/health');
    expect(reply).toMatch(/^HTTP\/1\.[01] 200/);
    expect(reply).toContain('"status":"ok"');
  });

  it('shortens a long Host in the message', async () => {
    const host = `${'a'.repeat(300)}.example`;
    const { message } = errorOf(await send(url, '/health', host));
    expect(message).toContain(`"${'a'.repeat(100)}…"`);
    expect(message).not.toContain('a'.repeat(101));
  });

  it('answers listed names: exact ones in any letter case, and a leading-dot entry for a name and its subdomains', async () => {
    const listed = await start({ allowedHosts: ['Gateway.Test', '.example.com'] });
    for (const host of ['gateway.test', 'GATEWAY.TEST:8787', 'gateway.test.', 'example.com', 'a.b.example.com:1']) {
      expect((await send(listed, '/v1/models', host)).status, host).toBe(200);
    }
    for (const host of ['sub.gateway.test', 'badexample.com', 'example.com.evil.test', 'attacker.example']) {
      expect((await send(listed, '/v1/models', host)).status, host).toBe(403);
    }
    const before = target.calls.length;
    expect((await send(listed, '/v1/chat/completions', 'gateway.test:8787', { method: 'POST' })).status).toBe(200);
    expect(target.calls.length).toBe(before + 1);
  });

  it('"*" switches the check off', async () => {
    const any = await start({ allowedHosts: ['*'] });
    expect((await send(any, '/v1/models', `attacker.example:${port}`)).status).toBe(200);
    // The origin check still holds: a page on that name is not the gateway's own origin.
    const post = await send(any, '/v1/chat/completions', 'attacker.example', {
      method: 'POST',
      headers: { origin: 'http://attacker.example' },
    });
    expect(errorOf(post).code).toBe('origin_not_allowed');
  });

  it('does not check a connection to a non-loopback address (there auth is the guard)', async (context) => {
    const address = nonLoopbackAddress();
    if (address === undefined) {
      context.skip('this machine has no non-loopback IPv4 address');
      return;
    }
    const lan = await start({}, address);
    expect((await send(lan, '/v1/models', 'gateway.lan.example:8787')).status).toBe(200);
  });
});

describe('allowedHosts of the wrong shape', () => {
  const router = createRouter({ targets: { device: createScriptedTarget({ locality: 'local' }) } });

  it.each([
    ['a URL', 'http://gateway.test:8787/', 'use "gateway.test"'],
    ['a port', 'gateway.test:8787', 'use "gateway.test"'],
    ['a path', 'gateway.test/v1', 'use "gateway.test"'],
    ['a wildcard label', '*.example.com', 'use ".example.com"'],
    ['a URL with a leading dot', '.example.com:443', 'use ".example.com"'],
    ['spaces', 'gateway test', 'expected a host name'],
    ['nothing', '', 'expected a host name'],
  ])('createGateway refuses an entry with %s, naming it and the fix', (_label, entry, fix) => {
    const problems = configProblemsOf(() => createGateway({ router, allowedHosts: ['localhost', entry] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^allowedHosts\[1\]: /);
    expect(problems[0]).toContain(fix);
  });

  it.each([
    ['a string', 'gateway.test'],
    ['true (Vite spells the off switch so)', true],
  ])('createGateway refuses %s instead of a list, naming the off switch', (_label, value) => {
    expect(configProblemsOf(() => createGateway({ router, allowedHosts: value } as unknown as GatewayOptions))).toEqual(
      ['allowedHosts: expected a list of host names, e.g. ["gateway.test"], or ["*"] to switch the check off'],
    );
  });

  it('createGateway refuses an entry that is not a string', () => {
    const problems = configProblemsOf(() => createGateway({ router, allowedHosts: [42] } as unknown as GatewayOptions));
    expect(problems).toEqual([
      expect.stringMatching(/^allowedHosts\[0\]: expected a host name, e\.g\. "gateway\.test"/),
    ]);
  });

  it('the config file refuses a bad gateway.allowedHosts entry at load, and its JSON Schema knows the key', () => {
    const targets = { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'big' } };
    const problems = configProblemsOf(() => parseConfig({ targets, gateway: { allowedHosts: ['gateway.test:8787'] } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('gateway.allowedHosts');
    expect(problems[0]).toContain('use "gateway.test"');
    const good = { targets, gateway: { allowedHosts: ['gateway.test', '.example.com', '*'] } };
    expect(parseConfig(good).gateway?.allowedHosts).toEqual(['gateway.test', '.example.com', '*']);
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    expect(validate(good)).toBe(true);
    expect(validate({ targets, gateway: { allowedHosts: true } })).toBe(false);
  });
});
