import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserPage } from '@switchyard/testkit';
import { openBrowserPage, ReadmeExamples } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { ChromeAITarget } from '../src/index.js';

// The README's example is run as written in headless Chromium. Headless Chromium has no built-in model, so the
// page's `LanguageModel` global is the Prompt API stand-in (test/prompt-api-stand-in.ts, written from the public
// docs) with its model still to download; the example's free names are a button and a scripted remote `gpu`.
// Written beside this file: the page's bundler resolves the example's imports from this package.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url), {
  beside: new URL('.', import.meta.url),
});
const dir = examples.dir;
const block = examples.block('## Example');

declare global {
  var readmeExample: { logged: unknown[][]; ask(): Promise<[string, string]>; ready(): boolean };
}

describe('README example of @switchyard/adapter-chrome-ai (headless Chromium, Prompt API stand-in)', () => {
  let browser: BrowserPage;
  beforeAll(async () => {
    const prelude = [
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      "import { createPromptApiStandIn } from './../prompt-api-stand-in.js';",
      "const controls = { availability: 'downloadable' as const, chunkDelayMs: 1, downloadSteps: 3, sessionsCreated: 0, sessionsDestroyed: 0 };",
      "Object.defineProperty(globalThis, 'LanguageModel', { value: createPromptApiStandIn(controls), configurable: true });",
      'const logged: unknown[][] = [];',
      'const log = console.log;',
      'console.log = (...args: unknown[]) => { logged.push(args); log(...args); };',
      "const downloadButton = document.body.appendChild(document.createElement('button'));",
      "downloadButton.id = 'download';",
      "const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote', script: [{ text: 'from the GPU' }] });",
    ].join('\n');
    const postlude = [
      "const ask = async () => { const answer = await router.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4 }); return [answer.text, answer.route.target]; };",
      "Object.assign(globalThis, { readmeExample: { logged, ask, ready: () => device.status().state === 'ready' } });",
    ].join('\n');
    const file = join(dir, 'example.ts');
    writeFileSync(file, `${prelude}\n${block}\n${postlude}\n`);
    browser = await openBrowserPage({ scripts: { '/app.js': file } });
    await browser.page.waitForFunction(() => globalThis.readmeExample !== undefined);
  });
  afterAll(async () => {
    await browser?.close();
    examples.dispose();
  });

  it('types checkStatus() as always there, so the example compiles without `?.` or `!`', () => {
    expectTypeOf<ChromeAITarget['checkStatus']>().toBeFunction();
  });

  it('answers on the GPU while the model is not downloaded, and on the device once the button fetched it', async () => {
    // Before the download the device is unavailable ("downloadable"): the example's answer came from the GPU.
    expect(await browser.page.evaluate(() => globalThis.readmeExample.logged)).toEqual([['from the GPU', 'gpu']]);
    await browser.page.click('#download');
    await browser.page.waitForFunction(() => globalThis.readmeExample.ready());
    const [text, target] = await browser.page.evaluate(() => globalThis.readmeExample.ask());
    expect(target).toBe('device');
    expect(text.length).toBeGreaterThan(0);
  });
});
