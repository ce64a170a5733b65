import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BrowserPage,
  type OpenAIUpstream,
  openBrowserPage,
  type PageFile,
  startOpenAIUpstream,
  watchPageErrors,
} from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without declarations
import { bundleEntries, measureViteBundle } from '../src/rows/bundle.mjs';

// Row 10's entry as `vite build` writes it (the same build the row measures), served as static files from a loopback
// server and loaded in headless Chromium: what a Vite app ships has to work, not only be small. The remote target's
// endpoint is the testkit's OpenAI-compatible stand-in on another loopback origin (with CORS headers, as llama-server
// sends them): the call's answer is not what is tested here, the page's loading of its on-demand chunks is.

interface ViteBuilt {
  outDir: string;
  entry: string;
  chunks: { name: string; loaded: 'first' | 'on demand'; src?: string }[];
}

let outDir: string;
let built: ViteBuilt;
let upstream: OpenAIUpstream;
let browser: BrowserPage;
/** The paths the page fetched from the static server, in order. */
const fetched: string[] = [];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'switchyard-vite-page-'));
  built = (await measureViteBundle(bundleEntries.routerOpenai, { outDir })) as ViteBuilt;
  const files: Record<string, PageFile> = Object.fromEntries(
    (await readdir(join(outDir, 'assets'))).map((name) => [`/assets/${name}`, { path: join(outDir, 'assets', name) }]),
  );
  // Chromium asks for one; a 404 would be a console error, which the test counts.
  files['/favicon.ico'] = new Uint8Array();
  upstream = await startOpenAIUpstream({ cors: true });
  browser = await openBrowserPage({
    files,
    handle(request: IncomingMessage) {
      fetched.push(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
      return false;
    },
  });
});

afterAll(async () => {
  await browser?.close();
  await upstream?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** The on-demand chunk whose first module matches `module`. */
function chunkOf(module: RegExp): string {
  const chunk = built.chunks.find((c) => c.loaded === 'on demand' && module.test(c.src ?? ''));
  expect(chunk, `no on-demand chunk for ${module}`).toBeDefined();
  return `/${chunk?.name}`;
}

describe('a page built by vite build (headless Chromium, stand-in OpenAI upstream on loopback)', () => {
  it('answers router.generate() through a remote OpenAI target, fetching the detector, execution and call-path chunks on demand, the phone plans only for a prompt that needs them, without a page error', async () => {
    const { errors, until } = watchPageErrors(browser.page, 'the Vite-built page');
    const firstLoad = built.chunks.filter((c) => c.loaded === 'first').map((c) => `/${c.name}`);
    // A string, not a function: vitest would rewrite the function's `import()` for Node.
    const generate = `(async () => {
      const { createRouter, createOpenAITarget } = await import(${JSON.stringify(`/${built.entry}`)});
      const gpu = createOpenAITarget({ id: 'gpu', baseURL: ${JSON.stringify(upstream.baseURL)}, model: 'stand-in' });
      globalThis.router = createRouter({ targets: { gpu } });
      const answer = await router.generate({ messages: [{ role: 'user', content: 'Which track?' }], maxTokens: 16 });
      return { text: answer.text, target: answer.route.target };
    })()`;
    const result = await until(browser.page.evaluate<{ text: string; target: string }>(generate));
    expect(result.text).toBe('Signals are green on track nine.');
    expect(result.target).toBe('gpu');
    expect(upstream.served()).toBe(1);
    // The first load (entry and its static imports) and then the parts a routing page needs, each fetched once.
    expect(fetched).toEqual(expect.arrayContaining(firstLoad));
    const needed = [
      chunkOf(/detector-for-policy-\w+\.js$/),
      chunkOf(/execute-plan-\w+\.js$/),
      chunkOf(/fetch-call-path-\w+\.js$/),
    ];
    expect(fetched).toEqual(expect.arrayContaining(needed));
    for (const chunk of [...firstLoad, ...needed]) expect(fetched.filter((path) => path === chunk)).toHaveLength(1);
    // No phone-like number in the prompt: the numbering plans are not needed, so not fetched.
    const phonePlans = chunkOf(/parse-phone-number-\w+\.js$/);
    expect(fetched).not.toContain(phonePlans);
    // A number only the plans can decide ("+1 000 000 0000" has a calling code, but no area code starts with 0): the
    // request waits for them, is cleared by the full check and goes to the remote target; the plans are fetched once.
    const withNumber = `(async () => {
      const ask = { messages: [{ role: 'user', content: 'Is +1 000 000 0000 a real number?' }], maxTokens: 16 };
      const early = router.plan(ask);
      const answer = await router.generate(ask);
      await router.generate(ask);
      return { early: early.privacy.private, target: answer.route.target, detected: answer.route.plan.privacy.detected };
    })()`;
    const second = await until(
      browser.page.evaluate<{ early: boolean; target: string; detected: string[] }>(withNumber),
    );
    // plan() answers before the plans have loaded: provisionally, erring towards the device.
    expect(second).toEqual({ early: true, target: 'gpu', detected: [] });
    expect(fetched.filter((path) => path === phonePlans)).toHaveLength(1);
    // Only with a local target (p-queue) or an OpenTelemetry API module (request traces): not fetched here.
    expect(fetched).not.toContain(chunkOf(/p-queue\/dist\/index\.js$/));
    expect(fetched).not.toContain(chunkOf(/request-trace-\w+\.js$/));
    expect(errors).toEqual([]);
  });
});
