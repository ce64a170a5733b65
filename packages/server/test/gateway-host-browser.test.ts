import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { type BrowserPage, openBrowserPage } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { createGateway } from '../src/index.js';

/** What the page could read of a same-origin GET: its status and body, or the error fetch threw. */
type PageRead = { status: number; text: string } | { error: string };

describe('a DNS-rebound page in headless Chromium (attacker.example resolves to 127.0.0.1; scripted in-process target)', () => {
  const router = createRouter({ targets: { 'secret-gpu': createScriptedTarget({ script: [{ text: 'hello' }] }) } });
  let browser: BrowserPage;
  let guarded: Gateway;
  let unchecked: Gateway;

  /** Opens `http://attacker.example:<port>/` (the rebound name) and fetches `path` from that page, same-origin. */
  async function readAsRebound(gatewayURL: string, path: string): Promise<PageRead> {
    const rebound = `http://attacker.example:${new URL(gatewayURL).port}/`;
    await browser.page.goto(rebound);
    expect(browser.page.url()).toBe(rebound);
    return browser.page.evaluate(async (target): Promise<PageRead> => {
      try {
        const response = await fetch(target);
        return { status: response.status, text: await response.text() };
      } catch (error) {
        return { error: String(error) };
      }
    }, path);
  }

  beforeAll(async () => {
    // The attacker's DNS answer, as Chromium's resolver rule: the name now points at the user's loopback.
    browser = await openBrowserPage({ extraChromiumArgs: ['--host-resolver-rules=MAP attacker.example 127.0.0.1'] });
    // No auth token and a public /metrics: what a user running the gateway for themselves may well have.
    guarded = createGateway({ router, metrics: { public: true } });
    unchecked = createGateway({ router, metrics: { public: true }, allowedHosts: ['*'] });
    await guarded.listen({ port: 0 });
    await unchecked.listen({ port: 0 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([guarded, unchecked].map((gateway) => gateway?.close({ graceMs: 100 })));
    await router.dispose();
  });

  it('reads the targets of a gateway whose Host check is off: the attack the check stops', async () => {
    const read = await readAsRebound(unchecked.url as string, '/v1/models');
    expect(read).toMatchObject({ status: 200 });
    expect((read as { text: string }).text).toContain('secret-gpu');
  });

  it.each(['/v1/models', '/health', '/metrics'])(
    'reads nothing of %s by default: 403 host_not_allowed',
    async (path) => {
      const read = await readAsRebound(guarded.url as string, path);
      expect(read).toMatchObject({ status: 403 });
      const text = (read as { text: string }).text;
      expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('host_not_allowed');
      expect(text).not.toContain('secret-gpu');
    },
  );
});
