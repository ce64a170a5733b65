import { rm } from 'node:fs/promises';
import { chromiumArgs, chromiumPath } from '@switchyard/testkit';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';
import type { DemoRuntime } from '../src/create-demo-runtime.js';
import { createDemoRuntime } from '../src/create-demo-runtime.js';
import type { DemoServer } from '../src/demo-server.js';
import { startDemoServer } from '../src/demo-server.js';
import { buildWebAssets } from './build-web-assets.js';

/** The demo with its stand-ins, its server on port 0, and the page open in headless Chromium. */
export interface DemoPageSession {
  runtime: DemoRuntime;
  server: DemoServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * Starts the demo in this process on the current sources and opens `path` in Chromium (Debian's chromium, which
 * `.ci/run` installs; CHROMIUM_PATH elsewhere). `beforeLoad` runs on the page before it navigates (listeners,
 * emulation overrides that must exist before the page's script starts).
 */
export async function openDemoPage(
  options: { path?: string; beforeLoad?: (page: Page) => Promise<void> } = {},
): Promise<DemoPageSession> {
  const assetsDir = await buildWebAssets();
  const runtime = await createDemoRuntime({ remoteDelayMs: 40 });
  const server = await startDemoServer({ runtime, port: 0, assetsDir });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // The page's own errors, in the test's output: in "in this browser" mode the router runs there.
  page.on('pageerror', (error) => console.log('[page error]', error));
  await options.beforeLoad?.(page);
  await page.goto(new URL(options.path ?? '/', server.url).href);
  return {
    runtime,
    server,
    browser,
    page,
    async close() {
      await browser.close();
      await server.close();
      await runtime.dispose();
      await rm(assetsDir, { recursive: true, force: true });
    },
  };
}

/** Sends a message and waits until its answer has finished streaming; returns the answer's element. */
export async function askOnPage(page: Page, text: string, timeout: number): Promise<Locator> {
  const answers = page.locator('.msg.assistant');
  const before = await answers.count();
  await page.fill('#prompt', text);
  await page.click('#send');
  const answer = answers.nth(before);
  await answer
    .and(page.locator('[data-state="done"], [data-state="error"]'))
    .waitFor({ timeout })
    .catch(async (error: unknown) => {
      throw new Error(`no answer to "${text}"; the page shows: ${await answer.textContent()}`, { cause: error });
    });
  // On failure, show what the page showed.
  expect(`${await answer.getAttribute('data-state')}: ${await answer.textContent()}`).toMatch(/^done: /);
  return answer;
}
