import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath, keepReadmeScreenshot } from '@switchyard/testkit';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/chat-server.js';
import { startChatServer } from '../src/chat-server.js';
import type { ChatRouter } from '../src/create-chat-router.js';
import { createChatRouter } from '../src/create-chat-router.js';
import { buildPage } from './build-page.js';

// Real components: llama.cpp in process on the generated tiny model ("device"), the demo's remote stand-in (the
// project's gateway serving a larger generated model over loopback HTTP behind the fault proxy, "gpu"), the real
// `ai` package on both sides, and Debian's Chromium.
const screenshotPath = fileURLToPath(new URL('../docs/screenshot.png', import.meta.url));

const answerTimeout = 120_000;
let chat: ChatRouter;
let server: ChatServer;
let assetsDir: string;
let browser: Browser;
let page: Page;
const logged: string[] = [];

beforeAll(async () => {
  assetsDir = await buildPage();
  await mkdir(fileURLToPath(new URL('../docs/', import.meta.url)), { recursive: true });
  chat = await createChatRouter({ env: {}, remoteDelayMs: 20 });
  server = await startChatServer({
    router: chat.router,
    port: 0,
    assetsDir,
    maxOutputTokens: 48,
    log: (line) => logged.push(line),
  });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(server.url);
  await page.locator('body[data-ready="true"]').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await chat?.dispose();
  if (assetsDir) await rm(assetsDir, { recursive: true, force: true });
});

/** What the page wrote to the browser console as errors (a resource it could not load is one). */
const consoleErrors: string[] = [];

const answers = () => page.locator('.msg.assistant');

/** Types a message, sends it, and waits until its answer has finished streaming; returns the answer's element. */
async function ask(text: string, options: { private?: boolean } = {}) {
  const before = await answers().count();
  await page.setChecked('#private', options.private ?? false);
  await page.fill('#prompt', text);
  await page.click('#send');
  const answer = answers().nth(before);
  await answer.and(page.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout: answerTimeout });
  // On failure, show what the page showed.
  expect(`${await answer.getAttribute('data-state')}: ${await answer.textContent()}`).toMatch(/^done: /);
  return answer;
}

describe('the AI SDK chat page in Chromium', () => {
  it('streams an answer from the GPU endpoint and shows its route from the message metadata', async () => {
    const answer = await ask('What is the capital of France?');
    expect((await answer.locator('.text').textContent())?.length).toBeGreaterThan(0);
    // The UI message stream arrived in several pieces, not as one block.
    expect(Number(await answer.getAttribute('data-updates'))).toBeGreaterThan(2);
    expect(await answer.getAttribute('data-target')).toBe('gpu');
    const route = await answer.locator('.route').textContent();
    expect(route).toContain('gpu · remote');
    expect(route).toContain('plan gpu → device');
    expect(logged.at(-1)).toContain('gpu · remote');
  });

  it('keeps a private message on the device and says why', async () => {
    const answer = await ask('Summarise my diary entry.', { private: true });
    expect(await answer.getAttribute('data-target')).toBe('device');
    const route = await answer.locator('.route').textContent();
    expect(route).toContain('device · local');
    expect(route).toContain('private prompt');
    expect(route).toMatch(/gpu ✗ privacy/);
    // The GPU was never planned, so nothing was sent to it.
    expect(route).toContain('plan device');
    expect(route).not.toContain('→');
  });

  it('keeps a prompt with an e-mail address on the device without the switch', async () => {
    const answer = await ask('Write to ada@example.com about the timetable.');
    expect(await answer.getAttribute('data-target')).toBe('device');
    expect(await answer.locator('.route').textContent()).toMatch(/private prompt \(email detected\)/);
    // The README's picture: a remote answer, a private one and one with personal data.
    await keepReadmeScreenshot(await page.screenshot({ fullPage: true }), screenshotPath);
  });

  it('finishes the answer on the device when the GPU endpoint breaks mid-answer', async () => {
    // The conversation above holds an e-mail address, so it stays on the device; "New chat" starts a fresh one.
    await page.click('#new-chat');
    expect(await answers().count()).toBe(0);
    chat.remoteStandIn!.breakNextRequest();
    const answer = await ask('Tell me about the rail yard.');
    expect(await answer.getAttribute('data-target')).toBe('device');
    expect((await answer.locator('.text').textContent())?.length).toBeGreaterThan(0);
    expect(await answer.locator('.route').textContent()).toMatch(/fallback.*gpu failed/);
  });

  it('logs no errors to the browser console (it asked for a /favicon.ico the server does not serve)', () => {
    expect(consoleErrors).toEqual([]);
  });
});
