import { fileURLToPath } from 'node:url';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { type BrowserPage, openBrowserPage } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { createGateway } from '../src/index.js';
import type { OriginPageApi } from './openai-origin-page.js';

declare global {
  var originPage: OriginPageApi;
}

const chatBody = JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] });

/** What the page's fetch came to: the status and body it could read, or the error it threw. */
type PageOutcome = { status: number; type: string; text: string; target: string | null } | { error: string };

describe('a web page on another loopback port, in headless Chromium (the target is a scripted in-process one)', () => {
  const target = createScriptedTarget({ script: [{ text: 'hello' }] });
  const router = createRouter({ targets: { device: target } });
  let browser: BrowserPage;
  let closed: Gateway;
  let open: Gateway;
  let closedURL: string;
  let openURL: string;

  /** Runs fetch in the page against `url`'s chat route. */
  function pageFetch(url: string, init: { blob?: boolean; noCors?: boolean; headers?: Record<string, string> }) {
    return browser.page.evaluate(
      async ({ endpoint, body, blob, noCors, headers }): Promise<PageOutcome> => {
        try {
          const response = await fetch(endpoint, {
            method: 'POST',
            body: blob ? new Blob([body]) : body,
            ...(noCors ? { mode: 'no-cors' as const } : {}),
            ...(headers ? { headers } : {}),
          });
          return {
            status: response.status,
            type: response.type,
            text: await response.text(),
            target: response.headers.get('x-switchyard-target'),
          };
        } catch (error) {
          return { error: String(error) };
        }
      },
      { endpoint: `${url}/v1/chat/completions`, body: chatBody, ...init },
    );
  }

  beforeAll(async () => {
    browser = await openBrowserPage({
      scripts: { '/app.js': fileURLToPath(new URL('./openai-origin-page.ts', import.meta.url)) },
    });
    await browser.page.waitForFunction(() => globalThis.originPage !== undefined);
    // No auth token on either: the origin check is all that stands between the page and the target.
    closed = createGateway({ router });
    open = createGateway({ router, allowedOrigins: [new URL(browser.url).origin] });
    closedURL = await closed.listen({ port: 0 });
    openURL = await open.listen({ port: 0 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([closed, open].map((gateway) => gateway?.close({ graceMs: 100 })));
    await router.dispose();
  });

  it('cannot make the gateway call a target with a simple POST or a no-cors one', async () => {
    const before = target.calls.length;
    const simple = await pageFetch(closedURL, { blob: true });
    // The 403 carries no Access-Control-Allow-Origin, so the browser reports a CORS failure.
    expect(simple).toEqual({ error: 'TypeError: Failed to fetch' });
    const opaque = await pageFetch(closedURL, { blob: true, noCors: true });
    expect(opaque).toMatchObject({ status: 0, type: 'opaque' });
    // What the browser's preflight would get, had the page sent JSON with a token.
    const preflighted = await pageFetch(closedURL, {
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
    });
    expect(preflighted).toEqual({ error: 'TypeError: Failed to fetch' });
    expect(target.calls.length).toBe(before);
  });

  it('calls the gateway from an allowed origin, preflight included, and reads the answer and route header', async () => {
    const before = target.calls.length;
    const answer = await pageFetch(openURL, {
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-needed' },
    });
    expect(answer).toMatchObject({ status: 200, type: 'cors', target: 'device' });
    const completion = JSON.parse((answer as { text: string }).text) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]?.message.content).toBe('hello');
    expect(target.calls.length).toBe(before + 1);
  });

  it('answers the official openai client (dangerouslyAllowBrowser) on an allowed origin, and refuses it elsewhere', async () => {
    const before = target.calls.length;
    const call = (url: string) =>
      browser.page.evaluate((baseURL) => globalThis.originPage.complete(baseURL), `${url}/v1`);
    expect(await call(openURL)).toEqual({ text: 'hello' });
    expect(await call(closedURL)).toEqual({ error: 'Error: Connection error.' });
    expect(target.calls.length).toBe(before + 1);
  });
});
