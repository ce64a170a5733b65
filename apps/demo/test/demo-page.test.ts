import { fileURLToPath } from 'node:url';
import { keepReadmeScreenshot } from '@switchyard/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoRuntime } from '../src/create-demo-runtime.js';
import type { DemoServer } from '../src/demo-server.js';
import type { DemoState } from '../src/demo-state.js';
import type { DemoPageSession } from './demo-page-driver.js';
import { askOnPage, openDemoPage } from './demo-page-driver.js';

const screenshotPath = fileURLToPath(new URL('../docs/screenshot.png', import.meta.url));

/** Generous: two models share two busy cores with the rest of the test suite. */
const answerTimeout = 120_000;

let session: DemoPageSession;
let runtime: DemoRuntime;
let server: DemoServer;
let page: Page;

beforeAll(async () => {
  session = await openDemoPage();
  ({ runtime, server, page } = session);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: answerTimeout });
});

afterAll(async () => {
  await session?.close();
});

const ask = (text: string) => askOnPage(page, text, answerTimeout);

describe('the demo page in Chromium', () => {
  it('says plainly that both targets are stand-ins and how to use real ones', async () => {
    expect(await page.locator('#stand-in-notice').isVisible()).toBe(true);
    const notice = await page.locator('#stand-in-notice').textContent();
    expect(notice).toContain('stand-in');
    expect(notice).toContain('SWITCHYARD_LOCAL_MODEL');
    expect(notice).toContain('SWITCHYARD_REMOTE_URL');
    expect(notice).toContain('--config');
  });

  it('streams an answer and shows where it ran, with its timings', async () => {
    const answer = await ask('What is the capital of France?');
    const target = await answer.getAttribute('data-target');
    expect(['device', 'gpu']).toContain(target);
    const route = await answer.getByTestId('route').textContent();
    expect(route).toMatch(/(device · local|gpu · remote)/);
    expect(route).toContain('TTFT');
    expect((await answer.locator('.text').textContent())?.length).toBeGreaterThan(0);
  });

  it("draws the last request's trace as a waterfall beside the routing panel: the router's request span, its attempt, and the remote server's span", async () => {
    // prefer-remote, so the answer crosses HTTP to the stand-in, whose gateway span joins through traceparent.
    // (A message waits for panel changes in flight, so the mode applies to it.)
    await page.selectOption('#mode', 'prefer-remote');
    const answer = await ask('Write a short poem about trains');
    expect(await answer.getAttribute('data-target')).toBe('gpu');
    const names = () => page.locator('#trace .span-row .span-name').allTextContents();
    await expect.poll(names, { timeout: 15_000 }).toContain('POST /v1/chat/completions');
    const shown = await names();
    expect(shown[0]).toBe('chat');
    const attemptName = shown.find((name) => /^chat \S+/.test(name));
    expect(attemptName).toBeDefined();
    const rows = page.locator('#trace .span-row');
    // Parent before child: request span, its CLIENT attempt, then the server span under the attempt.
    expect(await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-kind')))).toEqual([
      'internal',
      'client',
      'server',
    ]);
    expect(await rows.nth(1).getAttribute('data-target')).toBe('gpu');
    // Coloured by where the request ran: the request span and its attempt both say remote.
    expect(
      await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-locality'))),
    ).toEqual(['remote', 'remote', null]);
    const widths = await page
      .locator('#trace .span-track .bar')
      .evaluateAll((bars) => bars.map((bar) => (bar as HTMLElement).getBoundingClientRect().width));
    expect(widths).toHaveLength(3);
    for (const width of widths) expect(width).toBeGreaterThan(0);
    // The request span covers the whole trace; the server span sits inside the attempt's bar.
    const boxes = await page
      .locator('#trace .span-track .bar')
      .evaluateAll((bars) =>
        bars.map((bar) => bar.getBoundingClientRect()).map(({ left, right }) => ({ left, right })),
      );
    expect(boxes[2]!.left).toBeGreaterThanOrEqual(boxes[1]!.left - 1);
    expect(boxes[2]!.right).toBeLessThanOrEqual(boxes[1]!.right + 1);
    await page.selectOption('#mode', 'prefer-local');
  });

  it('routes the next answer to the device once the device is offline', async () => {
    // prefer-remote first, so "local" is the offline toggle's doing and not the default preference.
    await page.selectOption('#mode', 'prefer-remote');
    await page.check('#offline');
    const answer = await ask('Give me three ideas for a rainy afternoon.');
    expect(await answer.getAttribute('data-locality')).toBe('local');
    expect(await answer.getByTestId('route').textContent()).toContain('gpu ✗ offline');
    await page.uncheck('#offline');
    await page.locator('#device-summary', { hasText: 'online' }).waitFor({ timeout: answerTimeout });
  });

  it('excludes the remote when messages are private, even when the policy prefers it', async () => {
    await page.check('#private');
    const answer = await ask('Remind me to call the dentist tomorrow.');
    expect(await answer.getAttribute('data-locality')).toBe('local');
    expect(await answer.getByTestId('route').textContent()).toContain('gpu ✗ privacy');
    await page.uncheck('#private');
  });

  it('fails over to the device when the remote breaks mid-stream, and charts every decision', async () => {
    await page.click('#new-chat');
    await page.selectOption('#mode', 'prefer-remote');
    await page.click('#break-remote');
    await page.locator('#break-remote[data-armed="true"]').waitFor({ timeout: answerTimeout });
    const answer = await ask('Write a short poem about trains.');
    const route = await answer.getByTestId('route').textContent();
    expect(route).toContain('failover gpu →');
    expect(await answer.getAttribute('data-locality')).toBe('local');
    expect((await answer.locator('.text').textContent())?.length).toBeGreaterThan(0);
    await page.locator('#break-remote[data-armed="false"]').waitFor({ timeout: answerTimeout });
    // The reset marked the remote unavailable; the demo's health probe brings it back.
    await expect
      .poll(() => runtime.router.targets.gpu?.status().state, { timeout: answerTimeout, interval: 200 })
      .toBe('ready');

    // Back to the default mode, and one more answer from the GPU: low battery spares the device.
    await page.selectOption('#mode', 'prefer-local');
    await page.fill('#battery', '12');
    await page.dispatchEvent('#battery', 'change');
    const remote = await ask('Summarise the plot of Hamlet in two sentences.');
    expect(await remote.getAttribute('data-locality')).toBe('remote');
    expect(await remote.getByTestId('route').textContent()).toContain('device ✗ battery');
    await page.fill('#battery', '80');
    await page.dispatchEvent('#battery', 'change');

    const bars = page.locator('#chart svg g');
    await expect.poll(() => bars.count(), { timeout: answerTimeout }).toBeGreaterThanOrEqual(5);
    await page.locator('#device-summary', { hasText: 'battery 80%' }).waitFor({ timeout: answerTimeout });
    await page.getByTestId('route').last().locator('summary').click();
    await keepReadmeScreenshot(await page.screenshot(), screenshotPath);
  });

  it('feeds charging, metered and thermal to the router, and shows per-target stats', async () => {
    await page.click('#new-chat');
    await page.selectOption('#mode', 'prefer-local');
    // Charging makes a low battery acceptable; a serious thermal state still keeps the work off the device.
    await page.fill('#battery', '12');
    await page.dispatchEvent('#battery', 'change');
    await page.check('#charging');
    await page.check('#metered');
    await page.selectOption('#thermal', 'serious');
    await expect
      .poll(() => runtime.signals.read(), { timeout: answerTimeout, interval: 100 })
      .toMatchObject({ battery: { level: 0.12, charging: true }, thermal: 'serious', network: { metered: true } });
    const answer = await ask('Plan a weekend in Lisbon.');
    const route = await answer.getByTestId('route').textContent();
    expect(await answer.getAttribute('data-locality')).toBe('remote');
    expect(route).toContain('device ✗ thermal');
    expect(route).not.toContain('device ✗ battery');
    expect(route).toMatch(/\d+ tok\/s/);
    expect(route).toMatch(/\$\d/);

    const gpuCard = page.locator('#targets [data-target="gpu"]');
    await expect.poll(() => gpuCard.textContent(), { timeout: answerTimeout }).toMatch(/\d+ ms\s*TTFT \(EWMA\)/);
    const card = (await gpuCard.textContent()) ?? '';
    expect(card).toMatch(/\d+ tok\/s\s*speed \(EWMA\)/);
    expect(card).toMatch(/\d+\s*queued/);
    expect(card).toMatch(/(closed|open|half-open)\s*circuit/);

    await page.selectOption('#thermal', 'nominal');
    await page.uncheck('#metered');
    await page.uncheck('#charging');
    await page.fill('#battery', '80');
    await page.dispatchEvent('#battery', 'change');
    await expect
      .poll(() => runtime.signals.read(), { timeout: answerTimeout, interval: 100 })
      .toMatchObject({ battery: { level: 0.8, charging: false }, thermal: 'nominal', network: { metered: false } });
  });

  it("fills the panel from this machine's own readings", async () => {
    await page.click('#read-device');
    const note = page.locator('#device-reading');
    await note.waitFor({ timeout: answerTimeout });
    expect(await note.textContent()).toMatch(
      /^This machine: battery .+, thermal .+, (online|offline|network unknown)\.$/,
    );
  });
});

describe('the demo API', () => {
  it('reports targets, signals, policy and stats', async () => {
    const state = (await (await fetch(`${server.url}api/state`)).json()) as DemoState;
    expect(state.targets.map((target) => [target.name, target.locality, target.source])).toEqual([
      ['device', 'local', 'stand-in'],
      ['gpu', 'remote', 'stand-in'],
    ]);
    expect(state.targets[0]?.stats?.requests).toBeGreaterThan(0);
    expect(state.policy).toMatchObject({ privacy: { detectPii: true } });
  });

  it('rejects a bad signal with the field and what it expects', async () => {
    const response = await fetch(`${server.url}api/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ battery: { level: 3 } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('battery.level');
  });

  it('rejects an unknown mode', async () => {
    const response = await fetch(`${server.url}api/policy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'fastest' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('prefer-local');
  });

  it('streams an error event, not a broken stream, when no target may run a request', async () => {
    await fetch(`${server.url}api/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ battery: { level: 0.05, charging: false } }),
    });
    try {
      const response = await fetch(`${server.url}api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Note for me only' }], private: true }),
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const events = (await response.text())
        .split('\n\n')
        .filter((block) => block.startsWith('data: '))
        .map(
          (block) => JSON.parse(block.slice(6)) as { type: string; excluded?: { target: string; reason: string }[] },
        );
      const error = events.find((event) => event.type === 'error');
      expect(error?.excluded?.map((entry) => `${entry.target}:${entry.reason}`).sort()).toEqual([
        'device:battery',
        'gpu:privacy',
      ]);
    } finally {
      await fetch(`${server.url}api/signals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ battery: { level: 0.8 } }),
      });
    }
  });
});
