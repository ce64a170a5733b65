import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { TargetCall } from '@switchyard/contract';
import { runTargetConformance, runTargetFaultConformance } from '@switchyard/contract/testing';
import {
  type BrowserPage,
  buildForBrowser,
  createPageTargetProxy,
  type FaultProxy,
  openBrowserPage,
  startFaultProxy,
  textOf,
} from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget } from '../src/index.js';
import { call, server, useLlamaServer } from './llama-server-fixture.js';
import type { OpenAIPageApi } from './openai-page.js';

declare global {
  var openaiPage: OpenAIPageApi;
}

const entry = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const apiKey = 'sk-browser-secret-123456';

let browser: BrowserPage;
/** What the page-origin proxy saw of each proxied request: whether the page closed it before the answer ended. */
const proxied: { path: string; closedEarly: boolean; done: Promise<void> }[] = [];

/** The fault proxy in front of llama-server, while the fault suite runs. */
let faults: FaultProxy | undefined;

/**
 * The page's own origin also proxies `/proxy/*` to llama-server and `/fault/*` to the fault proxy (the "same origin" deployment), so the test sees when
 * the browser closes a request; `/limited/*` answers a 429 with `Retry-After` and an error body that echoes the key.
 */
function handle(request: IncomingMessage, response: ServerResponse): boolean {
  const path = request.url ?? '/';
  if (path.startsWith('/limited/')) {
    response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
    response.end(JSON.stringify({ error: { message: `rate limited for key ${apiKey}` } }));
    return true;
  }
  const prefix = path.startsWith('/proxy/') ? '/proxy' : path.startsWith('/fault/') && faults ? '/fault' : undefined;
  if (prefix === undefined) return false;
  const upstream = new URL(path.slice(prefix.length), prefix === '/fault' ? faults?.url : server.origin);
  let resolve = () => {};
  const seen = { path: upstream.pathname, closedEarly: false, done: new Promise<void>((r) => (resolve = r)) };
  proxied.push(seen);
  const outgoing = httpRequest(upstream, { method: request.method, headers: request.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
    // An upstream reset or cut reaches the page as one: the browser sees the network error, not a clean end.
    answer.on('aborted', () => response.destroy());
    answer.on('error', () => response.destroy());
  });
  outgoing.on('error', () => response.destroy());
  request.pipe(outgoing);
  response.on('close', () => {
    seen.closedEarly = !response.writableFinished;
    // The page went away: stop llama-server's generation too, as a real proxy would.
    outgoing.destroy();
    resolve();
  });
  return true;
}

useLlamaServer();
beforeAll(async () => {
  browser = await openBrowserPage({
    scripts: { '/app.js': entry('./openai-page.ts'), '/worker.js': entry('./openai-worker.ts') },
    handle,
  });
  await browser.page.waitForFunction(() => globalThis.openaiPage !== undefined);
});

afterAll(async () => {
  await browser?.close();
});

describe('the browser build of adapter-openai in headless Chromium against llama-server', () => {
  it("llama-server's CORS headers let the page's origin stream cross-origin", async () => {
    const origin = browser.url.replace(/\/$/, '');
    const preflight = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toMatch(new RegExp(`^(\\*|${origin})$`));
  });

  it('streams the same answer as the Node build generates, cross-origin, with an API key', async () => {
    const node = createOpenAITarget({ baseURL: server.baseURL, model: server.model });
    const expected = await node.generate(call);
    await node.dispose?.();
    const parts = await browser.page.evaluate(({ settings, call }) => openaiPage.stream(settings, call), {
      settings: { baseURL: server.baseURL, model: server.model, apiKey },
      call,
    });
    const text = textOf(parts);
    expect(parts.filter((part) => part.type === 'text-delta').length).toBeGreaterThan(1);
    expect(text).toBe(expected.text);
    expect(parts.find((part) => part.type === 'usage')).toEqual({ type: 'usage', usage: expected.usage });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: expected.finishReason });
  });

  it('streams the same answer in a dedicated worker', async () => {
    const node = createOpenAITarget({ baseURL: server.baseURL, model: server.model });
    const expected = await node.generate(call);
    await node.dispose?.();
    const answer = await browser.page.evaluate(({ settings, call }) => openaiPage.inWorker(settings, call), {
      settings: { baseURL: server.baseURL, model: server.model },
      call,
    });
    expect(answer).toEqual({ text: expected.text });
  });

  it('an abort in the page ends the stream with an AbortError and closes the request', async () => {
    proxied.length = 0;
    const long: TargetCall = { ...call, maxTokens: 3000 };
    const error = await browser.page.evaluate(({ settings, call }) => openaiPage.abortAfterFirstText(settings, call), {
      settings: { baseURL: `${browser.url}proxy/v1`, model: server.model, extraBody: { ignore_eos: true } },
      call: long,
    });
    expect(error).toMatchObject({ name: 'AbortError', code: 'abort', isRetryable: false });
    const chat = proxied.find((seen) => seen.path === '/v1/chat/completions');
    expect(chat).toBeDefined();
    await chat?.done;
    expect(chat?.closedEarly).toBe(true);
  });

  it('an error status is an ApiCallError with its status and Retry-After, the key redacted', async () => {
    const error = await browser.page.evaluate(({ settings, call }) => openaiPage.failure(settings, call), {
      settings: { baseURL: `${browser.url}limited/v1`, model: server.model, apiKey },
      call,
    });
    expect(error).toMatchObject({ name: 'ApiCallError', status: 429, retryAfterMs: 7000, isRetryable: true });
    expect(error.message).not.toContain(apiKey);
    expect(error.message).toContain('429');
  });

  it('a refused connection is a retryable ConnectionError', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const { port } = dead.address() as AddressInfo;
    await new Promise((resolve) => dead.close(resolve));
    const error = await browser.page.evaluate(({ settings, call }) => openaiPage.failure(settings, call), {
      settings: { baseURL: `http://127.0.0.1:${port}/v1`, model: server.model, apiKey },
      call,
    });
    expect(error).toMatchObject({ name: 'ConnectionError', code: 'connection', isRetryable: true });
    expect(error.message).not.toContain(apiKey);
  });
});

// The whole target conformance suite against the target living in the page: every call crosses into Chromium, runs
// there on fetch against llama-server (cross-origin), and its parts and errors come back through the page proxy.
let hosted = 0;
runTargetConformance({
  name: 'adapter-openai (browser build) in headless Chromium against llama-server',
  createTarget: async () => {
    hosted += 1;
    const name = `openai-${hosted}`;
    await browser.page.evaluate(({ name, settings }) => openaiPage.host(name, settings), {
      name,
      settings: {
        baseURL: server.baseURL,
        model: server.model,
        healthURL: `${server.origin}/health`,
        timeoutMs: 60_000,
        // Declared: the page proxy copies capabilities once, before a status check could detect it.
        capabilities: { continuation: true },
      },
    });
    return createPageTargetProxy(browser.page, name);
  },
  disposeTarget: () => undefined,
  deterministic: true,
});

// The shared fault suite against the target in the page. The fault proxy's own answers (a 429, a reset) carry no CORS
// headers, so the page reaches it through its own origin (`/fault/*`), forwarded with resets and cuts passed on.
describe('the shared fault suite in headless Chromium, through the page origin to a fault proxy before llama-server', () => {
  beforeAll(async () => {
    faults = await startFaultProxy({ upstream: server.origin });
  });
  afterAll(async () => {
    await faults?.close();
    faults = undefined;
  });

  runTargetFaultConformance({
    name: 'adapter-openai (browser build) in headless Chromium',
    faults: () => faults as FaultProxy,
    createTarget: async (baseURL) => {
      hosted += 1;
      const name = `openai-${hosted}`;
      const pageBase = baseURL === faults?.url ? `${browser.url}fault` : baseURL;
      await browser.page.evaluate(({ name, settings }) => openaiPage.host(name, settings), {
        name,
        settings: { baseURL: `${pageBase}/v1`, model: server.model, timeoutMs: 3000 },
      });
      return createPageTargetProxy(browser.page, name);
    },
    skip: {
      'dispose-with-hung-probe':
        'the page proxy (createPageTargetProxy) forwards no dispose() into the page; dispose is the shared code the Node fetch run passes',
    },
  });
});

describe('the browser bundle of adapter-openai (esbuild, platform browser)', () => {
  it('imports no Node built-in and no undici', async () => {
    const { text, metafile } = await buildForBrowser(entry('../src/browser/index.ts'), {
      minify: true,
      // Left external so the metafile records them (a browser build would otherwise fail to resolve them).
      external: ['node:*', 'undici'],
    });
    const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.map((imported) => imported.path));
    expect(imports.filter((path) => path.startsWith('node:') || path === 'undici')).toEqual([]);
    const output = Object.values(metafile.outputs)[0];
    expect(output?.imports.filter((imported) => imported.external)).toEqual([]);
    expect(Object.keys(metafile.inputs).some((path) => path.includes('/undici/'))).toBe(false);
    expect(gzipSync(text).byteLength).toBeGreaterThan(0);
  });
});
