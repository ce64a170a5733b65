import { fileURLToPath } from 'node:url';
import { keepReadmeScreenshot } from '@switchyard/testkit';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoRuntime } from '../src/create-demo-runtime.js';
import type { DemoPageSession } from './demo-page-driver.js';
import { askOnPage, openDemoPage } from './demo-page-driver.js';

const screenshotPath = fileURLToPath(new URL('../docs/in-browser.png', import.meta.url));

/** Generous: wllama in the page, two llama.cpp models in the demo process, and the rest of the suite share 2 cores. */
const answerTimeout = 180_000;

let session: DemoPageSession;
let runtime: DemoRuntime;
let page: Page;
let cdp: CDPSession;
/** Downloads of the on-device model by the page (the demo server's `/models/device.gguf`). */
let modelDownloads = 0;
/** Every answer of the demo server with an error status, as the page's console shows them. */
const failedLoads: string[] = [];

async function setPressure(state: 'nominal' | 'critical') {
  await cdp.send('Emulation.setPressureStateOverride', { source: 'cpu', state });
  await page.locator('#device-summary', { hasText: `thermal ${state}` }).waitFor({ timeout: answerTimeout });
}

async function waitForDeviceReady() {
  await page.locator('body[data-ready="true"]').waitFor({ timeout: answerTimeout });
  await page.locator('#targets [data-target="device"]', { hasText: 'ready' }).waitFor({ timeout: answerTimeout });
}

beforeAll(async () => {
  session = await openDemoPage({
    path: '/in-browser',
    async beforeLoad(page) {
      page.on('response', (response) => {
        if (response.status() >= 400)
          failedLoads.push(`${response.status()} ${response.request().method()} ${response.url()}`);
      });
      page.on('request', (request) => {
        // wllama asks for the size with HEAD first; a download is a GET.
        if (request.method() === 'GET' && new URL(request.url()).pathname === '/models/device.gguf') {
          modelDownloads += 1;
        }
      });
      // The real Compute Pressure API reports this busy shared machine as under critical pressure; pin it to nominal
      // so each test sets the pressure it is about (the override reaches observers created after it: before loading).
      cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setPressureSourceOverrideEnabled', { enabled: true, source: 'cpu' });
      await cdp.send('Emulation.setPressureStateOverride', { source: 'cpu', state: 'nominal' });
    },
  });
  ({ runtime, page } = session);
  await waitForDeviceReady();
}, 300_000);

afterAll(async () => {
  await session?.close();
});

const ask = (text: string) => askOnPage(page, text, answerTimeout);

describe('the demo "in this browser" (Chromium): the router in the page, wllama on the device, the GPU stand-in over fetch', () => {
  it('runs the router in the tab, with wllama as the device and this browser as the signal source', async () => {
    expect(await page.locator('body').getAttribute('data-where')).toBe('page');
    expect(await page.locator('#where a.current').textContent()).toBe('in this browser');
    expect(await page.locator('#targets [data-target="device"]').textContent()).toContain('wllama in this tab');
    expect(await page.locator('#targets [data-target="gpu"]').textContent()).toContain('over fetch');
    expect(modelDownloads).toBe(1);
    // The demo process's own router answered nothing: every answer below comes from the page's router.
    expect(runtime.log.list()).toEqual([]);
  });

  it('answers on the GPU stand-in through the fetch transport when the policy prefers it', async () => {
    await page.selectOption('#mode', 'prefer-remote');
    const answer = await ask('Write a short poem about trains');
    expect(await answer.getAttribute('data-target')).toBe('gpu');
    expect(await answer.getByTestId('route').textContent()).toContain('gpu · remote');
    expect((await answer.locator('.text').textContent())?.length).toBeGreaterThan(0);
    // The page's router ran it: its trace is in the page, and the demo process logged nothing.
    await page.locator('#trace .span-row').first().waitFor({ timeout: answerTimeout });
    expect(runtime.log.list()).toEqual([]);
  });

  it('moves to the device when the browser goes offline (CDP network emulation)', async () => {
    const conditions = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, ...conditions });
    try {
      await page.locator('#device-summary', { hasText: 'offline' }).waitFor({ timeout: answerTimeout });
      const answer = await ask('Give me three ideas for a rainy afternoon.');
      expect(await answer.getAttribute('data-locality')).toBe('local');
      expect(await answer.getByTestId('route').textContent()).toContain('gpu ✗ offline');
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, ...conditions });
    }
    await page.locator('#device-summary', { hasText: 'online' }).waitFor({ timeout: answerTimeout });
  });

  it('moves work off the device under critical CPU pressure (CDP pressure override)', async () => {
    await page.selectOption('#mode', 'prefer-local');
    expect(await (await ask('Hello there')).getAttribute('data-locality')).toBe('local');
    await setPressure('critical');
    try {
      const answer = await ask('Plan a weekend in Lisbon.');
      expect(await answer.getAttribute('data-locality')).toBe('remote');
      expect(await answer.getByTestId('route').textContent()).toContain('device ✗ thermal');
    } finally {
      await setPressure('nominal');
    }
  });

  it('keeps private messages on the device even when the policy prefers the GPU', async () => {
    await page.click('#new-chat');
    await page.selectOption('#mode', 'prefer-remote');
    await page.check('#private');
    const answer = await ask('Remind me to call the dentist tomorrow.');
    expect(await answer.getAttribute('data-locality')).toBe('local');
    expect(await answer.getByTestId('route').textContent()).toContain('gpu ✗ privacy');
    await page.uncheck('#private');
    await page.click('#new-chat');
  });

  it('continues on the device when the GPU stream is cut mid-answer, repeating nothing', async () => {
    await page.selectOption('#mode', 'prefer-remote');
    await page.click('#break-remote');
    await page.locator('#break-remote[data-armed="true"]').waitFor({ timeout: answerTimeout });
    const answer = await ask('Write a short poem about trains.');
    expect(await answer.getAttribute('data-locality')).toBe('local');
    const route = (await answer.getByTestId('route').textContent()) ?? '';
    expect(route).toMatch(/failover gpu → device \(continue\)/);
    // What the GPU streamed before the cut stays, and the device goes on from there: no restart, no repetition.
    expect(await answer.locator('.discarded').count()).toBe(0);
    // The answer's text: what each target streamed, separated by the page's "[gpu broke: …; device continues]" marks.
    const { segments, cuts } = await answer.locator('.text').evaluate((text) => {
      const segments = [''];
      const cuts: string[] = [];
      for (const node of text.childNodes) {
        if (node instanceof HTMLElement && node.classList.contains('cut')) {
          cuts.push(node.textContent ?? '');
          segments.push('');
        } else segments[segments.length - 1] += node.textContent ?? '';
      }
      return { segments, cuts };
    });
    const seen = JSON.stringify({ segments, cuts });
    expect(cuts.at(-1), seen).toContain('device continues');
    expect(
      cuts.every((cut) => cut.endsWith('continues] ')),
      seen,
    ).toBe(true);
    // The GPU had shown text when it was cut (the device may then finish in few words, or none: that is its call).
    expect(segments[0]!.length, seen).toBeGreaterThan(0);
    // No target started over: no continuation begins with the text shown before it. (A shown text of a word or two
    // can begin a fresh continuation by chance on the generated vocabulary, so only a longer one is telling.)
    for (let index = 1; index < segments.length; index += 1) {
      const shown = segments.slice(0, index).join('').trim();
      if (shown.length >= 12) expect(segments[index]!.trim().startsWith(shown), JSON.stringify(segments)).toBe(false);
    }
    await page.locator('#break-remote[data-armed="false"]').waitFor({ timeout: answerTimeout });
    await keepReadmeScreenshot(await page.screenshot(), screenshotPath);
    await page.selectOption('#mode', 'prefer-local');
  });

  it("asks the demo server for nothing it answers with an error (the reachability probe of the GPU's base URL included)", () => {
    // signals-browser probes `/remote/v1` every 15 s and on every online/offline event: the offline test above sent one.
    expect(failedLoads).toEqual([]);
  });

  it('keeps the downloaded model in the browser storage across a reload', async () => {
    expect(modelDownloads).toBe(1);
    await page.reload();
    await waitForDeviceReady();
    expect(modelDownloads).toBe(1);
    const answer = await ask('Hello again');
    expect(await answer.getAttribute('data-locality')).toBe('local');
  });
});
