import { type GenerateRequest, onDemandGiveUpMs } from '@switchyard/contract';
import { holdImport } from '@switchyard/contract/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// Core's browser build loads the personal-data detector (recognizers, scan, checksums) on demand: a chunk of its own in
// a page, fetched by a router whose policy scans prompts (bench row 10). These tests load core afresh as the browser
// build bundles it (load-detector-for.browser.ts for load-detector-for.ts), with the detector's import held back until
// the test lets it through (a stand-in for a slow chunk download), failing (a chunk the network lost) or never
// answering.

afterEach(() => {
  vi.doUnmock('./load-detector-for.js');
  vi.doUnmock('./detector-for-policy.js');
  vi.useRealTimers();
});

/** A fresh browser-build core whose detector import waits for `release()`; the first `failures` imports fail. */
async function browserCoreWithHeldDetector({ failures = 0 } = {}) {
  vi.resetModules();
  const held = holdImport(() => vi.importActual('./detector-for-policy.js'), { failures });
  vi.doMock('./load-detector-for.js', () => import('./load-detector-for.browser.js'));
  vi.doMock('./detector-for-policy.js', held.load);
  const { createRouter } = await import('../create-router.js');
  return { createRouter, release: held.release, imports: held.imports };
}

const ask = (content: string): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 8 });
const clean = ask('What is the capital of France?');
const withEmail = ask('Write to me at jane.doe@example.com about the invoice');

function hybrid(createRouter: Awaited<ReturnType<typeof browserCoreWithHeldDetector>>['createRouter']) {
  return createRouter({
    targets: {
      device: createScriptedTarget({ locality: 'local' }),
      cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }),
    },
    policy: { mode: 'prefer-remote' },
  });
}

/**
 * Waits until the held import has answered: one still pending when a test ends would answer the next test's import
 * of the same module (vitest shares a module's pending load), whatever that test's mock says.
 */
async function settled(router: ReturnType<typeof hybrid>) {
  await router.generate(clean);
}

describe('the browser build loads the personal-data detector on demand', () => {
  it('is fetched when a router that scans prompts is created, never by one that does not', async () => {
    const { createRouter, release, imports } = await browserCoreWithHeldDetector();
    const unscanned = createRouter({
      targets: { cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }) },
      policy: { privacy: { detectPii: false } },
    });
    const answer = unscanned.generate(withEmail);
    expect((await answer).route.target).toBe('cloud');
    expect(imports()).toBe(0);
    const router = hybrid(createRouter);
    await vi.waitFor(() => expect(imports()).toBe(1));
    release();
    await settled(router);
  });

  it('scans and routes requests that start while it loads exactly as after the load', async () => {
    const { createRouter, release } = await browserCoreWithHeldDetector();
    const router = hybrid(createRouter);
    const answers = Promise.all([router.generate(clean), router.generate(withEmail)]);
    const streamed = (async () => {
      const targets: (string | undefined)[] = [];
      for await (const part of router.stream(withEmail)) {
        if (part.type === 'route' && part.phase === 'summary') targets.push(part.route.target);
      }
      return targets;
    })();
    release();
    const [cleanAnswer, emailAnswer] = await answers;
    expect(cleanAnswer.route.target).toBe('cloud');
    expect(cleanAnswer.route.plan.privacy).toEqual({ private: false, detected: [] });
    expect(emailAnswer.route.target).toBe('device');
    expect(emailAnswer.route.plan.privacy).toEqual({ private: true, detected: ['email'] });
    expect(await streamed).toEqual(['device']);
    // The same plans plan() gives once it has loaded.
    expect(router.plan(clean).plan.map((entry) => entry.target)).toEqual(['cloud', 'device']);
    expect(router.plan(withEmail).privacy).toEqual({ private: true, detected: ['email'] });
    expect(router.plan(clean).explanation.join('\n')).not.toMatch(/detector/);
  });

  it('counts a prompt with text as private in plan() before the load, and says so', async () => {
    const { createRouter, release } = await browserCoreWithHeldDetector();
    const router = hybrid(createRouter);
    const plan = router.plan(clean);
    expect(plan.privacy).toEqual({ private: true, detected: [] });
    expect(plan.plan.map((entry) => entry.target)).toEqual(['device']);
    expect(plan.excluded).toEqual([
      { target: 'cloud', reason: 'privacy', detail: 'the personal-data detector is still loading' },
    ]);
    expect(plan.explanation).toContain(
      'privacy: the personal-data detector is still loading (a page loads it on demand; requests wait for it, plan() does not), so the prompt counts as private: only local targets may run it',
    );
    // A prompt without text (an image alone) has nothing to scan.
    const image = router.plan({
      messages: [{ role: 'user', content: [{ type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' }] }],
    });
    expect(image.privacy.private).toBe(false);
    release();
    await settled(router);
  });

  it('keeps requests on the device while it cannot load (failing closed), and tries again with the next request', async () => {
    const { createRouter, release, imports } = await browserCoreWithHeldDetector({ failures: 1 });
    const router = hybrid(createRouter);
    const remoteOnly = createRouter({
      targets: { cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }) },
    });
    const answer = router.generate(clean);
    const refused = remoteOnly.generate(clean).catch((error: unknown) => error);
    release();
    const { route } = await answer;
    expect(route.target).toBe('device');
    expect(route.plan.privacy).toEqual({ private: true, detected: [] });
    // (The import's error reads as vitest words a failed mock factory.)
    expect(route.plan.explanation[1]).toMatch(
      /^privacy: the personal-data detector could not be loaded \(.+; the next request tries again\), so the prompt counts as private: only local targets may run it \(fails closed\)$/,
    );
    expect(route.plan.excluded).toEqual([
      { target: 'cloud', reason: 'privacy', detail: 'the personal-data detector could not be loaded' },
    ]);
    expect(((await refused) as { code?: string }).code).toBe('no-eligible-target');
    expect(imports()).toBe(1);
    // The next request imports it again; this time it loads and the clean prompt goes remote.
    expect((await router.generate(clean)).route.target).toBe('cloud');
    expect(imports()).toBe(2);
    expect((await remoteOnly.generate(clean)).route.target).toBe('cloud');
  });

  it('stops holding requests for a chunk that stalls, keeps them on the device, and uses it when it answers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { createRouter, release } = await browserCoreWithHeldDetector();
    const router = hybrid(createRouter);
    const answer = router.generate(clean);
    await vi.advanceTimersByTimeAsync(onDemandGiveUpMs);
    const { route } = await answer;
    expect(route.target).toBe('device');
    expect(route.plan.explanation.join('\n')).toMatch(/could not be loaded \(no answer after 10 s; /);
    // Later requests do not wait for the stalled import again (no timer is advanced for this one).
    expect((await router.generate(clean)).route.target).toBe('device');
    release();
    await vi.waitFor(async () => expect((await router.generate(clean)).route.target).toBe('cloud'));
  });
});
