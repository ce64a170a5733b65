import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type BrowserPage, openBrowserPage } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, server, useLlamaServer } from './llama-server-fixture.js';
import type { OpenAIPageApi } from './openai-page.js';

// The browser entry in headless Chromium, bundled with code splitting as an app's bundler emits it: its call path is
// a chunk of its own, which the page fetches from this server when the first target is created. The server can answer
// that fetch with a 503 (a chunk the network or a CDN lost); the calls go to llama-server.

declare global {
  var openaiPage: OpenAIPageApi;
}

useLlamaServer();

let browser: BrowserPage;
/** The call-path chunk's fetches so far, and how many more to fail. */
const chunk = { fetched: 0, failNext: 0 };

function handle(request: IncomingMessage, response: ServerResponse): boolean {
  if (!/\/fetch-call-path-\w+\.js$/.test(request.url ?? '')) return false;
  chunk.fetched += 1;
  if (chunk.failNext === 0) return false;
  chunk.failNext -= 1;
  response.writeHead(503, { 'content-type': 'text/plain' });
  response.end('unavailable');
  return true;
}

beforeAll(async () => {
  browser = await openBrowserPage({
    scripts: { '/app.js': fileURLToPath(new URL('./openai-page.ts', import.meta.url)) },
    handle,
    splitting: true,
  });
  await browser.page.waitForFunction(() => globalThis.openaiPage !== undefined);
});

afterAll(async () => {
  await browser?.close();
});

const settings = () => ({ baseURL: server.baseURL, model: server.model });

describe('the call-path chunk in a page built with code splitting (headless Chromium)', () => {
  it('is fetched when a target is created; a lost chunk fails that call with a retryable TargetUnavailableError, and the next call fetches it again', async () => {
    // Loaded and ready: no target yet, so no chunk.
    expect(chunk.fetched).toBe(0);
    chunk.failNext = 1;
    const failure = await browser.page.evaluate(([s, c]) => globalThis.openaiPage.failure(s, c), [
      settings(),
      call,
    ] as const);
    expect(failure).toMatchObject({ name: 'TargetUnavailableError', code: 'target-unavailable', isRetryable: true });
    expect(failure.message).toMatch(
      /is unavailable: its call path \(@switchyard\/adapter-openai's on-demand chunk\) could not be loaded \(Failed to fetch dynamically imported module: http:\/\/127\.0\.0\.1:\d+\/fetch-call-path-\w+\.js\); the next call tries again$/,
    );
    expect(chunk.fetched).toBe(1);
    const parts = await browser.page.evaluate(([s, c]) => globalThis.openaiPage.stream(s, c), [
      settings(),
      call,
    ] as const);
    expect(parts.at(-1)?.type).toBe('finish');
    expect(chunk.fetched).toBe(2);
    // Loaded once: later targets and calls use it without fetching it again.
    await browser.page.evaluate(([s, c]) => globalThis.openaiPage.stream(s, c), [settings(), call] as const);
    expect(chunk.fetched).toBe(2);
  });
});
