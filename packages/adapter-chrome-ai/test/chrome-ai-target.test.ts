import { fileURLToPath } from 'node:url';
import { runTargetConformance } from '@switchyard/contract/testing';
import type { BrowserPage } from '@switchyard/testkit';
import { createPageTargetProxy, openBrowserPage } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromeAITarget } from '../src/index.js';
import type { StandInControls } from './prompt-api-stand-in.js';

interface TestApi {
  createChromeAITarget: typeof import('../src/index.js').createChromeAITarget;
  controls: StandInControls;
  standIn: ChromeAITarget;
  downloadControls: StandInControls;
  downloadable: ChromeAITarget;
  realLanguageModel: { availability(): Promise<string> } | undefined;
}
declare global {
  var chromeAiTest: TestApi;
}

let browser: BrowserPage;

beforeAll(async () => {
  browser = await openBrowserPage({
    scripts: { '/app.js': fileURLToPath(new URL('./chrome-ai-page.ts', import.meta.url)) },
  });
  await browser.page.waitForFunction(() => globalThis.chromeAiTest !== undefined);
});

afterAll(async () => {
  await browser?.close();
});

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }], maxTokens: 8 });

describe("adapter-chrome-ai on headless Chromium's real Prompt API", () => {
  it('reports what LanguageModel.availability() says as status and refuses to generate, without throwing', async () => {
    const seen = await browser.page.evaluate(async (call) => {
      const api = chromeAiTest.realLanguageModel;
      const truth = api ? await api.availability() : 'absent';
      const target = chromeAiTest.createChromeAITarget();
      const status = await target.checkStatus();
      const error = await target.generate(call).then(
        () => undefined,
        (caught: { code?: string; message?: string }) => ({ code: caught.code, message: caught.message }),
      );
      return { truth, status, error };
    }, ask('Hi'));
    // Chromium here has the LanguageModel global but no model: it says 'unavailable' (or 'downloadable' where a
    // component could be fetched). Either must come out as a status, never as a throw.
    expect(['unavailable', 'downloadable']).toContain(seen.truth);
    expect(seen.status.state).toBe('unavailable');
    const reason = seen.status.state === 'unavailable' ? seen.status.reason : '';
    expect(reason).toContain(seen.truth === 'unavailable' ? 'cannot run on this device' : 'downloadable');
    expect(seen.error?.code).toBe('target-unavailable');
    expect(seen.error?.message).toContain(reason);
  });

  it('is unavailable, not a crash, where the browser has no LanguageModel global', async () => {
    const status = await browser.page.evaluate(async () => {
      const scope = globalThis as { LanguageModel?: unknown };
      const saved = Object.getOwnPropertyDescriptor(scope, 'LanguageModel');
      delete scope.LanguageModel;
      try {
        const target = chromeAiTest.createChromeAITarget();
        return await target.checkStatus();
      } finally {
        if (saved) Object.defineProperty(scope, 'LanguageModel', saved);
      }
    });
    expect(status).toEqual({
      state: 'unavailable',
      code: 'model-missing',
      reason: expect.stringContaining('no LanguageModel global'),
    });
  });
});

runTargetConformance({
  name: 'adapter-chrome-ai against the page-injected Prompt API stand-in',
  createTarget: () => createPageTargetProxy(browser.page, 'stand-in'),
  disposeTarget: () => undefined,
});

describe('adapter-chrome-ai against the page-injected Prompt API stand-in', () => {
  it('asks availability() once for checks that overlap, and lets a caller give up on one that has not answered', async () => {
    const seen = await browser.page.evaluate(async () => {
      let calls = 0;
      const answers: ((availability: string) => void)[] = [];
      const api = {
        availability: () => {
          calls += 1;
          return new Promise<string>((resolve) => answers.push(resolve));
        },
        create: () => Promise.reject(new Error('not used here')),
      };
      // Creating the target starts the first probe; these checks join it.
      const target = chromeAiTest.createChromeAITarget({ languageModel: api } as never);
      const controller = new AbortController();
      const first = target.checkStatus();
      const second = target.checkStatus();
      const givenUp = target.checkStatus({ signal: controller.signal }).then(
        () => 'answered',
        (caught: { code?: string }) => caught.code,
      );
      controller.abort();
      const abandoned = await givenUp;
      for (const answer of answers) answer('available');
      const statuses = await Promise.all([first, second]);
      await target.dispose?.();
      return { calls, abandoned, statuses, disposed: target.status() };
    });
    expect(seen.calls).toBe(1);
    expect(seen.abandoned).toBe('abort');
    expect(seen.statuses).toEqual([{ state: 'ready' }, { state: 'ready' }]);
    expect(seen.disposed).toEqual({ state: 'unavailable', code: 'disposed', reason: 'disposed' });
  });

  it('maps downloadable to unavailable, then reports download progress as downloading until ready', async () => {
    const seen = await browser.page.evaluate(async () => {
      const target = chromeAiTest.downloadable;
      const before = await target.checkStatus();
      const progress: number[] = [];
      const poll = setInterval(() => {
        const status = target.status();
        if (status.state === 'downloading') progress.push(status.progress);
      }, 5);
      const after = await target.download();
      clearInterval(poll);
      return {
        before,
        progress,
        after,
        answer: await target.generate({ messages: [{ role: 'user', content: 'Hi' }] }),
      };
    });
    expect(seen.before).toEqual({
      state: 'unavailable',
      code: 'model-missing',
      reason: expect.stringContaining('downloadable'),
    });
    expect(seen.progress.length).toBeGreaterThan(1);
    expect(seen.progress).toEqual([...seen.progress].sort((a, b) => a - b));
    expect(Math.max(...seen.progress)).toBeGreaterThan(0.5);
    expect(seen.after).toEqual({ state: 'ready' });
    expect(seen.answer.text.length).toBeGreaterThan(0);
  });

  it('continues an assistant prefix with prefix: true and repeats none of it', async () => {
    const { full, continued, prefix } = await browser.page.evaluate(async () => {
      const call = { messages: [{ role: 'user' as const, content: 'Tell me about the yard.' }], maxTokens: 12 };
      const full = (await chromeAiTest.standIn.generate(call)).text;
      const prefix = full.split(' ').slice(0, 5).join(' ');
      const continued = (await chromeAiTest.standIn.generate({ ...call, assistantPrefix: prefix, maxTokens: 7 })).text;
      return { full, continued, prefix };
    });
    expect(prefix.length).toBeGreaterThan(0);
    expect(prefix + continued).toBe(full);
  });

  it('cuts at a stop sequence split across chunks and emits nothing after it', async () => {
    const { full, stopped } = await browser.page.evaluate(async () => {
      const call = { messages: [{ role: 'user' as const, content: 'Stop test' }], maxTokens: 20 };
      const full = (await chromeAiTest.standIn.generate(call)).text;
      // A stop sequence that starts in one word (chunk) and ends in the next.
      const words = full.split(' ');
      const stop = `${words[3]!.slice(-2)} ${words[4]!.slice(0, 2)}`;
      const stopped = await chromeAiTest.standIn.generate({ ...call, stop: [stop] });
      return { full, stopped: { ...stopped, stop } };
    });
    expect(stopped.finishReason).toBe('stop');
    expect(full.startsWith(stopped.text)).toBe(true);
    expect(full.indexOf(stopped.stop)).toBe(stopped.text.length);
  });

  it('puts system messages in initialPrompts, refuses one after the conversation naming the field, and destroys every session', async () => {
    const seen = await browser.page.evaluate(async () => {
      const target = chromeAiTest.standIn;
      const withSystem = await target.generate({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        maxTokens: 4,
      });
      const error = await target
        .generate({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'system', content: 'Late.' },
          ],
        })
        .then(
          () => undefined,
          (caught: { code?: string; message?: string }) => ({ code: caught.code, message: caught.message }),
        );
      return {
        withSystem,
        error,
        created: chromeAiTest.controls.sessionsCreated,
        destroyed: chromeAiTest.controls.sessionsDestroyed,
      };
    });
    expect(seen.withSystem.usage?.inputTokens).toBeGreaterThan(0);
    expect(seen.error).toEqual({ code: 'invalid-request', message: expect.stringContaining('messages[1]') });
    expect(seen.created).toBeGreaterThan(0);
    expect(seen.destroyed).toBe(seen.created);
  });
});
