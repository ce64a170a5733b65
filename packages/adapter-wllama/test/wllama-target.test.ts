import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TargetStatus } from '@switchyard/contract';
import { runTargetConformance } from '@switchyard/contract/testing';
import type { BrowserPage, BrowserPageOptions } from '@switchyard/testkit';
import { createPageTargetProxy, ensureTinyModel, openBrowserPage } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WllamaTarget } from '../src/index.js';
import type { WorkerMessage } from './worker-messages.js';

declare global {
  var wllamaTest: {
    target: WllamaTarget;
    statuses: TargetStatus[];
    workerMessages: WorkerMessage[];
    logged: { level: 'warn' | 'error'; message: string }[];
    consoleWarnings: unknown[][];
    crossOriginIsolated: boolean;
  };
}

const wasmPath = createRequire(import.meta.url).resolve('@wllama/wllama/esm/wasm/wllama.wasm');
const loadTimeout = 180_000;
let modelPath: string;
let modelDownloads = 0;
let browser: BrowserPage;

/** Serves the model in 16 KB pieces 15 ms apart (wllama reports progress at most every 100 ms), like a real download, and counts full downloads. */
async function pageOptions(crossOriginIsolated: boolean): Promise<BrowserPageOptions> {
  const { readFile } = await import('node:fs/promises');
  const model = await readFile(modelPath);
  return {
    crossOriginIsolated,
    scripts: { '/app.js': fileURLToPath(new URL('./wllama-page.ts', import.meta.url)) },
    files: { '/wllama.wasm': { path: wasmPath } },
    async handle(request, response) {
      if (!request.url?.startsWith('/tiny.gguf')) return false;
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': model.byteLength,
        ...(crossOriginIsolated ? { 'cross-origin-resource-policy': 'same-origin' } : {}),
      });
      if (request.method === 'HEAD') return Boolean(response.end());
      modelDownloads += 1;
      for (let offset = 0; offset < model.byteLength; offset += 16_384) {
        response.write(model.subarray(offset, offset + 16_384));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      response.end();
      return true;
    },
  };
}

// Waits on the page's status recorder (it samples every 2 ms), not on status() itself: the tests read the recorded
// statuses, which on a loaded machine could still end with 'loading' a moment after status() said 'ready'.
const waitReady = (page: BrowserPage['page']) =>
  page.waitForFunction(
    () =>
      globalThis.wllamaTest && ['ready', 'unavailable'].includes(globalThis.wllamaTest.statuses.at(-1)?.state ?? ''),
    undefined,
    { timeout: loadTimeout },
  );

beforeAll(async () => {
  modelPath = await ensureTinyModel();
  browser = await openBrowserPage(await pageOptions(false));
  await waitReady(browser.page);
});

afterAll(async () => {
  await browser?.close();
});

describe('adapter-wllama on the tiny GGUF model in headless Chromium', () => {
  it('reports the model download as downloading with rising progress, then ready', async () => {
    const statuses = await browser.page.evaluate(() => wllamaTest.statuses);
    expect(statuses.at(-1)).toEqual({ state: 'ready' });
    const progress = statuses.flatMap((status) => (status.state === 'downloading' ? [status.progress] : []));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(modelDownloads).toBe(1);
  });

  it('runs single-threaded when the page is not cross-origin isolated', async () => {
    const seen = await browser.page.evaluate(() => ({
      isolated: wllamaTest.crossOriginIsolated,
      multithread: wllamaTest.target.isMultithread(),
    }));
    expect(seen).toEqual({ isolated: false, multithread: false });
  });

  it('continues an assistant prefix and repeats none of it', async () => {
    const seen = await browser.page.evaluate(async () => {
      const call = {
        messages: [{ role: 'user' as const, content: 'Tell me about trains.' }],
        maxTokens: 10,
        temperature: 0,
        seed: 1,
      };
      const full = (await wllamaTest.target.generate(call)).text;
      const prefix = full.split(' ').slice(0, 4).join(' ');
      const parts: string[] = [];
      for await (const part of wllamaTest.target.stream({ ...call, assistantPrefix: prefix, maxTokens: 6 })) {
        if (part.type === 'text-delta') parts.push(part.text);
      }
      const generated = await wllamaTest.target.generate({ ...call, assistantPrefix: prefix, maxTokens: 6 });
      const fresh = await wllamaTest.target.generate({ ...call, maxTokens: 6 });
      return { full, prefix, streamed: parts.join(''), generated: generated.text, fresh: fresh.text };
    });
    expect(seen.prefix.length).toBeGreaterThan(0);
    expect(seen.streamed.length).toBeGreaterThan(0);
    // wllama prefills the prefix and echoes it: the adapter must hand back only the new text, …
    expect(seen.streamed.startsWith(seen.prefix)).toBe(false);
    expect(seen.generated).toBe(seen.streamed);
    // … which goes on after the prefix rather than restarting the answer. (It need not match the original greedy
    // answer word for word: the prefix is re-tokenized as prompt text, as with llama-server's assistant prefill.)
    expect(seen.fresh.startsWith(seen.prefix)).toBe(true);
    expect(seen.streamed).not.toBe(seen.fresh);
  });

  it('posts a request together with its first two polls: one worker round trip to the first token, not three', async () => {
    const seen = await browser.page.evaluate(async () => {
      const call = {
        messages: [{ role: 'user' as const, content: 'Name three trains.' }],
        maxTokens: 6,
        temperature: 0,
      };
      // The first request teaches the adapter the worker's request numbering; the second is sent ahead.
      await wllamaTest.target.generate(call);
      const start = wllamaTest.workerMessages.length;
      const parts: string[] = [];
      let messagesBeforeFirstText: typeof wllamaTest.workerMessages = [];
      for await (const part of wllamaTest.target.stream(call)) {
        if (part.type !== 'text-delta') continue;
        if (parts.length === 0) messagesBeforeFirstText = wllamaTest.workerMessages.slice(start);
        parts.push(part.text);
      }
      const reference = await wllamaTest.target.generate(call);
      return { messagesBeforeFirstText, streamed: parts.join(''), reference: reference.text };
    });
    const requests = seen.messagesBeforeFirstText.filter((message) => message.direction === 'request');
    // Before any answer came back: the completion and two get_result polls (wllama's own loop waits for each answer).
    const firstAnswer = seen.messagesBeforeFirstText.findIndex((message) => message.direction === 'answer');
    expect(seen.messagesBeforeFirstText.slice(0, firstAnswer)).toEqual([
      { direction: 'request', action: 'completion' },
      { direction: 'request', action: 'get_result' },
      { direction: 'request', action: 'get_result' },
    ]);
    // After that, only polls until the first token: no second request, no cancel.
    expect(requests.slice(1).every((message) => message.action === 'get_result')).toBe(true);
    // The same text as the same greedy request read by generate().
    expect(seen.streamed.length).toBeGreaterThan(0);
    expect(seen.streamed).toBe(seen.reference);
  });

  it("keeps llama.cpp's per-request log lines in the worker (no log message to the page per token)", async () => {
    const seen = await browser.page.evaluate(async () => {
      const start = wllamaTest.workerMessages.length;
      const requests = 4;
      for (let index = 0; index < requests; index += 1) {
        await wllamaTest.target.generate({ messages: [{ role: 'user', content: `Train ${index}?` }], maxTokens: 8 });
      }
      const messages = wllamaTest.workerMessages.slice(start);
      return {
        requests,
        answers: messages.filter((message) => message.direction === 'answer').length,
        logs: messages.flatMap((message) => (message.direction === 'other' ? [message.text] : [])),
      };
    });
    expect(seen.answers).toBeGreaterThanOrEqual(seen.requests * 2);
    // With wllama's `suppressNativeLog` this was about 80 per request and 3 more per token.
    expect(seen.logs.length / seen.requests, seen.logs.join('\n')).toBeLessThan(10);
  });

  it("sends llama.cpp's warnings to the logger setting, one string each, and none to console.warn", async () => {
    const seen = await browser.page.evaluate(async () => {
      const call = { messages: [{ role: 'user' as const, content: 'Signals?' }], maxTokens: 4 };
      await wllamaTest.target.generate(call);
      // The same prompt again is fully cached: llama.cpp warns ("need to evaluate at least 1 token…").
      const start = { logged: wllamaTest.logged.length, messages: wllamaTest.workerMessages.length };
      await wllamaTest.target.generate(call);
      const warnings = wllamaTest.workerMessages
        .slice(start.messages)
        .filter((message) => message.direction === 'other' && message.verb === 'console.warn');
      return {
        workerWarnings: warnings.flatMap((message) => (message.direction === 'other' ? [message.text] : [])),
        logged: wllamaTest.logged.slice(start.logged),
        consoleWarnings: wllamaTest.consoleWarnings.length,
      };
    });
    // The worker's warnings for the second request (llama.cpp's, at the adapter's log level), each on the logger.
    expect(seen.workerWarnings.length).toBeGreaterThan(0);
    const warned = seen.logged.filter((entry) => entry.level === 'warn').map((entry) => entry.message.slice(0, 80));
    expect(warned).toEqual(seen.workerWarnings);
    expect(seen.consoleWarnings).toBe(0);
  });

  it('frees the worker after an abort with polls in flight: the next request answers', async () => {
    const seen = await browser.page.evaluate(async () => {
      const controller = new AbortController();
      const call = { messages: [{ role: 'user' as const, content: 'Tell me about rail yards.' }], temperature: 0 };
      let error = '';
      try {
        for await (const part of wllamaTest.target.stream({ ...call, maxTokens: 200, signal: controller.signal })) {
          if (part.type === 'text-delta') controller.abort();
        }
      } catch (caught) {
        error = (caught as { code?: string }).code ?? String(caught);
      }
      const next = await wllamaTest.target.generate({ ...call, maxTokens: 4 });
      const cancels = wllamaTest.workerMessages.filter(
        (message) => message.direction === 'request' && message.action === 'cancel',
      );
      return { error, next: next.text, cancels: cancels.length };
    });
    expect(seen.error).toBe('abort');
    expect(seen.cancels).toBeGreaterThan(0);
    expect(seen.next.length).toBeGreaterThan(0);
  });

  it('keeps the downloaded model in browser storage across a reload', async () => {
    const before = modelDownloads;
    await browser.page.reload();
    await waitReady(browser.page);
    const statuses = await browser.page.evaluate(() => wllamaTest.statuses);
    expect(statuses.at(-1)).toEqual({ state: 'ready' });
    expect(modelDownloads).toBe(before);
    const answer = await browser.page.evaluate(() =>
      wllamaTest.target.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4 }),
    );
    expect(answer.text.length).toBeGreaterThan(0);
  });
});

runTargetConformance({
  name: 'adapter-wllama on the tiny GGUF model in headless Chromium',
  createTarget: () => createPageTargetProxy(browser.page, 'wllama'),
  disposeTarget: () => undefined,
  abortWithinMs: 30_000,
});

describe('adapter-wllama in a cross-origin isolated page (COOP/COEP)', () => {
  it('runs multi-threaded and generates', async () => {
    const isolated = await openBrowserPage(await pageOptions(true));
    try {
      await waitReady(isolated.page);
      const seen = await isolated.page.evaluate(async () => ({
        isolated: wllamaTest.crossOriginIsolated,
        multithread: wllamaTest.target.isMultithread(),
        answer: await wllamaTest.target.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 4 }),
      }));
      expect(seen.isolated).toBe(true);
      expect(seen.multithread).toBe(true);
      expect(seen.answer.text.length).toBeGreaterThan(0);
    } finally {
      await isolated.close();
    }
  });
});
