import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserPage } from '@switchyard/testkit';
import { openBrowserPage, ReadmeExamples } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's example is run as written in headless Chromium on the browser's real signals. Its free names (`device`,
// `gpu`) are scripted targets, and its remote base URL becomes a route of the page's own loopback server.
// Written beside this file: the page's bundler resolves the example's imports from this package.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url), {
  beside: new URL('.', import.meta.url),
});
const dir = examples.dir;
const block = examples.block('## Example');

declare global {
  var readmeExample: { plan(): { order: string[]; excluded: string[] }; logged: unknown[][] };
}

describe('README example of @switchyard/signals-browser (headless Chromium)', () => {
  let browser: BrowserPage;
  beforeAll(async () => {
    const url = "'https://gpu.example.com/v1'";
    expect(block.split(url)).toHaveLength(2);
    const prelude = [
      "import { createScriptedTarget } from '@switchyard/core/testing';",
      'const logged: unknown[][] = [];',
      'const log = console.log;',
      'console.log = (...args: unknown[]) => { logged.push(args); log(...args); };',
      "const device = createScriptedTarget({ id: 'device' });",
      "const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote' });",
    ].join('\n');
    const postlude = [
      "const ask = { messages: [{ role: 'user' as const, content: 'Hi' }] };",
      'const plan = () => {',
      '  const { plan: order, excluded } = router.plan(ask);',
      '  return { order: order.map((entry) => entry.target), excluded: excluded.map((e) => e.target + ":" + e.reason) };',
      '};',
      'Object.assign(globalThis, { readmeExample: { plan, logged } });',
    ].join('\n');
    const file = join(dir, 'example.ts');
    writeFileSync(file, `${prelude}\n${block.replace(url, 'location.origin + "/v1"')}\n${postlude}\n`);
    browser = await openBrowserPage({
      scripts: { '/app.js': file },
      handle(request, response) {
        if (!request.url?.startsWith('/v1')) return false;
        response.writeHead(204).end();
        return true;
      },
    });
    await browser.page.waitForFunction(() => globalThis.readmeExample !== undefined);
  });
  afterAll(async () => {
    await browser?.close();
    examples.dispose();
  });

  it('routes to the device first, and off the GPU when the browser goes offline, telling the subscriber', async () => {
    const plan = () => browser.page.evaluate(() => globalThis.readmeExample.plan());
    await browser.page.waitForFunction(() => globalThis.readmeExample.plan().order.length === 2);
    expect(await plan()).toEqual({ order: ['device', 'gpu'], excluded: [] });
    const cdp = await browser.cdp();
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    // The subscriber logs `device.network?.online, device.thermal` on each change.
    await browser.page.waitForFunction(() => globalThis.readmeExample.logged.some((args) => args[0] === false));
    expect(await plan()).toEqual({ order: ['device'], excluded: ['gpu:offline'] });
    await cdp.detach();
  });
});
