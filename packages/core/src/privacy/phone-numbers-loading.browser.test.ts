import { readFileSync } from 'node:fs';
import { AbortError, type GenerateRequest, onDemandGiveUpMs, TimeoutError } from '@switchyard/contract';
import { holdImport } from '@switchyard/contract/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoutePlan } from '../decision/route-plan.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// The browser build's numbering plans load on demand (a chunk of their own in a page: bench row 10), and only when a
// scan finds a number only they can decide. These tests load core afresh as the browser build bundles it
// (phone-numbers.browser.ts for phone-numbers.ts; with `detectorOnDemand`, load-detector-for.browser.ts too, as a
// page gets it), with the plans' import held back until the test lets it through (a stand-in for a slow chunk
// download), or failing (a chunk the network lost, an offline page). The held import counts how often the page would
// have fetched the chunk.

afterEach(() => {
  vi.doUnmock('./phone-numbers.js');
  vi.doUnmock('./parse-phone-number.js');
  vi.doUnmock('./load-detector-for.js');
  vi.useRealTimers();
});

/** A fresh browser-build core whose `import('./parse-phone-number.js')` waits for `release()` (or fails). */
async function browserCoreWithHeldPlans({ fail = false, detectorOnDemand = false } = {}) {
  vi.resetModules();
  const held = holdImport(() => vi.importActual('./parse-phone-number.js'), { failures: fail ? 1 : 0 });
  vi.doMock('./phone-numbers.js', () => import('./phone-numbers.browser.js'));
  vi.doMock('./parse-phone-number.js', held.load);
  if (detectorOnDemand) vi.doMock('./load-detector-for.js', () => import('./load-detector-for.browser.js'));
  const { createRouter } = await import('../create-router.js');
  const { createPiiDetector } = await import('./detect-pii.js');
  // The mock above makes it the browser module.
  const phone = (await import('./phone-numbers.js')) as unknown as typeof import('./phone-numbers.browser.js');
  return { createRouter, createPiiDetector, phone, release: held.release, imports: held.imports };
}

const ask = (content: string): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 8 });

// "ref 20245817" is 8 digits: no US number (the full check), but a run the provisional check cannot rule out.
const notAPhone = 'Please summarise order ref 20245817 for me';
const aPhone = 'Call me back at (212) 555-0173 about the order';
// No digit run the phone recognizer reads: no request of these needs the plans.
const withoutNumbers = ['What is the capital of France?', 'Write to me at jane.doe@example.com', 'List 3 uses of 42'];

function routerOf(createRouter: Awaited<ReturnType<typeof browserCoreWithHeldPlans>>['createRouter']) {
  return createRouter({
    targets: {
      device: createScriptedTarget({ id: 'llamacpp:tiny', locality: 'local' }),
      cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }),
    },
    policy: { mode: 'prefer-remote', privacy: { regions: ['US'] } },
  });
}

/** What routing decided, without the parts that describe live stats. */
const decision = (plan: RoutePlan) => ({
  order: plan.plan.map((entry) => entry.target),
  excluded: plan.excluded,
  privacy: plan.privacy,
  explanation: plan.explanation,
});

async function streamedDecision(parts: AsyncIterable<RouterStreamPart>) {
  let plan: RoutePlan | undefined;
  for await (const part of parts) if (part.type === 'route' && part.phase === 'decision') plan = part.plan;
  return decision(plan as RoutePlan);
}

/** Digit runs in the layouts the recognizer reads, from a fixed pseudo-random sequence. */
function sampledNumbers(): { text: string; region: string }[] {
  let seed = 11;
  const digits = (length: number) =>
    Array.from({ length }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return String(Math.floor(seed / 65536) % 10);
    }).join('');
  const samples: { text: string; region: string }[] = [];
  for (const region of ['US', 'DE', 'GB', 'JP', 'NZ', 'IN', 'BR']) {
    for (let index = 0; index < 150; index += 1) {
      samples.push({ text: `ref ${index % 2 ? '0' : ''}${digits(6 + (index % 7))} ok`, region });
      samples.push({ text: `call +${digits(1 + (index % 3))} ${digits(6 + (index % 8))} now`, region });
      samples.push({ text: `dial 00${digits(9 + (index % 5))} now`, region });
      samples.push({ text: `ring (${digits(3)}) ${digits(3)}-${digits(4)} today`, region });
      samples.push({ text: `tel ${digits(3)} ${digits(4)} ${digits(3 + (index % 3))}`, region });
    }
  }
  return samples;
}

describe('the browser build loads its numbering plans on demand', () => {
  it('are never fetched by a page whose requests and plans hold no phone-like number', async () => {
    const { createRouter, phone, imports } = await browserCoreWithHeldPlans({ detectorOnDemand: true });
    const router = routerOf(createRouter);
    const answers = await Promise.all(withoutNumbers.map((text) => router.generate(ask(text))));
    expect(answers.map((answer) => answer.route.target)).toEqual(['cloud', 'device', 'cloud']);
    expect(answers.map((answer) => answer.route.plan.privacy.detected)).toEqual([[], ['email'], []]);
    expect((await streamedDecision(router.stream(ask(withoutNumbers[0]!)))).order[0]).toBe('cloud');
    for (const text of withoutNumbers) {
      expect(router.plan(ask(text)).explanation.join('\n')).not.toMatch(/provisional/);
    }
    await vi.dynamicImportSettled();
    expect(imports()).toBe(0);
    expect(phone.isPhoneCheckSettled()).toBe(false);
  });

  it('are fetched once, by the first request holding a number only they can decide, which waits and is routed as the full check routes it; others do not wait', async () => {
    const { createRouter, phone, release, imports } = await browserCoreWithHeldPlans({ detectorOnDemand: true });
    const router = routerOf(createRouter);
    const answers = [notAPhone, aPhone].map((text) => router.generate(ask(text)));
    const streams = [notAPhone, aPhone].map((text) => streamedDecision(router.stream(ask(text))));
    let answeredEarly = false;
    for (const pending of [...answers, ...streams]) void pending.then(() => (answeredEarly = true));
    // A request without a candidate is answered while the plans are still held back.
    const clean = await router.generate(ask(withoutNumbers[0]!));
    expect(clean.route.target).toBe('cloud');
    await vi.waitFor(() => expect(imports()).toBe(1));
    expect(answeredEarly).toBe(false);
    expect(phone.isPhoneCheckSettled()).toBe(false);
    release();
    const whileLoading = [
      ...(await Promise.all(answers)).map((answer) => decision(answer.route.plan)),
      ...(await Promise.all(streams)),
    ];
    expect(phone.isPhoneCheckProvisional()).toBe(false);
    const afterLoading = [notAPhone, aPhone, notAPhone, aPhone].map((text) => decision(router.plan(ask(text))));
    expect(whileLoading).toEqual(afterLoading);
    // The order reference goes to the cloud, the phone number stays on the device.
    expect(afterLoading.map((each) => each.order[0])).toEqual(['cloud', 'device', 'cloud', 'device']);
    expect(imports()).toBe(1);
  });

  it('plans generate() and stream() started while they load exactly as after the load (the detector loaded with core)', async () => {
    const { createRouter, phone, release } = await browserCoreWithHeldPlans();
    const router = routerOf(createRouter);
    const answers = [notAPhone, aPhone].map((text) => router.generate(ask(text)));
    const streams = [notAPhone, aPhone].map((text) => streamedDecision(router.stream(ask(text))));
    expect(phone.isPhoneCheckSettled()).toBe(false);
    release();
    const whileLoading = [
      ...(await Promise.all(answers)).map((answer) => decision(answer.route.plan)),
      ...(await Promise.all(streams)),
    ];
    expect(phone.isPhoneCheckProvisional()).toBe(false);
    const afterLoading = [notAPhone, aPhone, notAPhone, aPhone].map((text) => decision(router.plan(ask(text))));
    expect(whileLoading).toEqual(afterLoading);
  });

  it('are fetched by a detector of its own when a scan needs them, or when its ready is read', async () => {
    const { createPiiDetector, release, imports } = await browserCoreWithHeldPlans();
    const detect = createPiiDetector({ regions: ['US'] });
    expect(detect('Write to me at jane.doe@example.com').kinds).toEqual(['email']);
    await vi.dynamicImportSettled();
    expect(imports()).toBe(0);
    expect(detect(notAPhone).findings.map((finding) => finding.recognizer)).toEqual(['phone-number-provisional']);
    await vi.waitFor(() => expect(imports()).toBe(1));
    release();
    await detect.ready;
    expect(detect(notAPhone).kinds).toEqual([]);
    expect(imports()).toBe(1);

    const again = await browserCoreWithHeldPlans();
    const ready = again.createPiiDetector().ready;
    await vi.waitFor(() => expect(again.imports()).toBe(1));
    again.release();
    await ready;
    expect(again.phone.isPhoneCheckProvisional()).toBe(false);
  });

  it('answers plan() before the load conservatively for a number only they can decide, says so, starts the load, and forgets that answer once loaded', async () => {
    const { createRouter, phone, release, imports } = await browserCoreWithHeldPlans();
    const router = routerOf(createRouter);
    const clean = router.plan(ask(withoutNumbers[0]!));
    expect(clean.privacy).toEqual({ private: false, detected: [] });
    expect(clean.explanation.join('\n')).not.toMatch(/provisional/);
    const early = router.plan(ask(notAPhone));
    expect(early.privacy).toEqual({ private: true, detected: ['phone-number'] });
    expect(early.plan.map((entry) => entry.target)).toEqual(['device']);
    expect(early.explanation.join('\n')).toMatch(/flagged by the provisional check/);
    await vi.waitFor(() => expect(imports()).toBe(1));
    release();
    await phone.loadPhoneCheck();
    const late = router.plan(ask(notAPhone));
    expect(late.privacy).toEqual({ private: false, detected: [] });
    expect(late.explanation.join('\n')).not.toMatch(/provisional/);
  });

  it('flags, before the load, every number the loaded check flags (sampled numbers in 7 regions)', async () => {
    const { createPiiDetector, phone, release } = await browserCoreWithHeldPlans();
    const samples = sampledNumbers();
    const detectors = new Map<string, ReturnType<typeof createPiiDetector>>();
    const detect = (region: string, text: string) => {
      if (!detectors.has(region)) detectors.set(region, createPiiDetector({ regions: [region] }));
      return detectors.get(region)!(text);
    };
    const before = samples.map(({ text, region }) => detect(region, text));
    expect(phone.isPhoneCheckProvisional()).toBe(true);
    release();
    await phone.loadPhoneCheck();
    expect(phone.isPhoneCheckProvisional()).toBe(false);
    const after = samples.map(({ text, region }) => detect(region, text));
    let flaggedAfter = 0;
    let flaggedOnlyBefore = 0;
    samples.forEach(({ text, region }, index) => {
      const early = before[index]!;
      const loaded = after[index]!;
      if (loaded.kinds.length > 0) flaggedAfter += 1;
      else if (early.kinds.length > 0) flaggedOnlyBefore += 1;
      // Every phone number the loaded check finds, the provisional one found at the same place.
      for (const finding of loaded.findings.filter((each) => each.kind === 'phone-number')) {
        expect(
          early.findings.some(
            (each) => each.kind === 'phone-number' && each.start === finding.start && each.end === finding.end,
          ),
          `${region}: ${text}`,
        ).toBe(true);
      }
      for (const kind of loaded.kinds) expect(early.kinds, `${region}: ${text}`).toContain(kind);
    });
    // The sample means something: both checks flag numbers, and the provisional one flags more.
    expect(flaggedAfter).toBeGreaterThan(500);
    expect(flaggedOnlyBefore).toBeGreaterThan(0);
  });

  it('finds, before the load, every kind the loaded check finds in each eval-privacy corpus sample', async () => {
    const { createPiiDetector, phone, release } = await browserCoreWithHeldPlans();
    const corpus = readFileSync(new URL('../../../server/data/privacy-corpus.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { text: string; region?: string });
    const detectors = new Map<string, ReturnType<typeof createPiiDetector>>();
    const detect = (region: string, text: string) => {
      if (!detectors.has(region)) detectors.set(region, createPiiDetector({ regions: [region] }));
      return detectors.get(region)!(text);
    };
    const before = corpus.map(({ text, region = 'US' }) => detect(region, text));
    // A provisional phone finding says so, and hides no other finding (the bank account under "0532013000" stays).
    const provisional = before
      .flatMap((detection) => detection.findings)
      .filter((each) => each.kind === 'phone-number');
    expect(new Set(provisional.map((each) => each.recognizer))).toEqual(new Set(['phone-number-provisional']));
    release();
    await phone.loadPhoneCheck();
    corpus.forEach(({ text, region = 'US' }, index) => {
      const loaded = detect(region, text);
      expect(loaded.findings.every((each) => each.recognizer !== 'phone-number-provisional')).toBe(true);
      for (const kind of loaded.kinds) expect(before[index]!.kinds, text).toContain(kind);
    });
  });

  it('keeps the provisional check and answers requests when the plans cannot load', async () => {
    const { createRouter, phone, release, imports } = await browserCoreWithHeldPlans({ fail: true });
    const router = routerOf(createRouter);
    const answer = router.generate(ask(aPhone));
    const streamed = streamedDecision(router.stream(ask(notAPhone)));
    release();
    expect((await answer).route.target).toBe('device');
    // Still flagged: without the plans an 8-digit run cannot be ruled out, so it stays on the device.
    expect((await streamed).order).toEqual(['device']);
    expect(phone.isPhoneCheckSettled()).toBe(true);
    expect(phone.isPhoneCheckProvisional()).toBe(true);
    expect(router.plan(ask(notAPhone)).privacy.detected).toEqual(['phone-number']);
    expect((await router.generate(ask('Hello there'))).route.target).toBe('cloud');
    // Not fetched again, and not waited for: the provisional check stays for good.
    expect((await router.generate(ask(notAPhone))).route.target).toBe('device');
    expect(imports()).toBe(1);
  });

  it('stops holding requests for a chunk whose download stalls, planning them with the provisional check', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { createRouter, phone } = await browserCoreWithHeldPlans();
    const router = routerOf(createRouter);
    const answer = router.generate(ask(notAPhone));
    await vi.advanceTimersByTimeAsync(onDemandGiveUpMs);
    expect((await answer).route.plan.privacy.detected).toEqual(['phone-number']);
    expect(phone.isPhoneCheckProvisional()).toBe(true);
  });

  it('does not hold requests of a router whose policy does not look for phone numbers', async () => {
    const { createRouter, phone, imports } = await browserCoreWithHeldPlans();
    const router = createRouter({
      targets: { cloud: createScriptedTarget({ id: 'openai:big', locality: 'remote' }) },
      policy: { privacy: { detect: ['email'] } },
    });
    expect((await router.generate(ask(notAPhone))).route.target).toBe('cloud');
    await vi.dynamicImportSettled();
    expect(imports()).toBe(0);
    expect(phone.isPhoneCheckSettled()).toBe(false);
  });

  it('ends a request waiting for them when its caller aborts, as an abort ends it anywhere, without calling a target', async () => {
    const { createRouter, phone, release, imports } = await browserCoreWithHeldPlans({ detectorOnDemand: true });
    const device = createScriptedTarget({ id: 'llamacpp:tiny', locality: 'local' });
    const cloud = createScriptedTarget({ id: 'openai:big', locality: 'remote' });
    const router = createRouter({
      targets: { device, cloud },
      policy: { mode: 'prefer-remote', privacy: { regions: ['US'] } },
    });
    const stop = new AbortController();
    const answer = router.generate({ ...ask(aPhone), signal: stop.signal }).catch((error: unknown) => error);
    const streamed = (async () => {
      for await (const _part of router.stream({ ...ask(aPhone), signal: stop.signal }));
    })().catch((error: unknown) => error);
    await vi.waitFor(() => expect(imports()).toBe(1));
    stop.abort();
    expect(AbortError.isInstance(await answer)).toBe(true);
    expect(AbortError.isInstance(await streamed)).toBe(true);
    // Ended while the chunk was still held back, not when it answered.
    expect(phone.isPhoneCheckSettled()).toBe(false);
    // A signal aborted before the call ends it at once; a Switchyard error given as the reason is the error.
    const deadline = new TimeoutError({ timeoutMs: 5, phase: 'deadline' });
    const late = new AbortController();
    late.abort(deadline);
    await expect(router.generate({ ...ask(notAPhone), signal: late.signal })).rejects.toBe(deadline);
    expect(device.calls.length + cloud.calls.length).toBe(0);
    release();
    await phone.loadPhoneCheck();
    expect((await router.generate(ask(aPhone))).route.target).toBe('device');
  });

  it('ends a request waiting for them when its routing.deadlineMs passes, with the deadline TimeoutError, calling no target', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { createRouter, phone, release, imports } = await browserCoreWithHeldPlans();
    const device = createScriptedTarget({ id: 'llamacpp:tiny', locality: 'local' });
    const cloud = createScriptedTarget({ id: 'openai:big', locality: 'remote' });
    const router = createRouter({
      targets: { device, cloud },
      policy: { mode: 'prefer-remote', privacy: { regions: ['US'] } },
    });
    const inOneSecond: GenerateRequest = { ...ask(aPhone), routing: { deadlineMs: 1_000 } };
    const answer = router.generate(inOneSecond).catch((error: unknown) => error);
    const streamed = (async () => {
      for await (const _part of router.stream(inOneSecond));
    })().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    for (const failure of [await answer, await streamed]) {
      expect(TimeoutError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({ phase: 'deadline', timeoutMs: 1_000 });
    }
    // Ended while the chunk is still held back (its 10 s give-up not reached), not when it answered.
    expect(imports()).toBe(1);
    expect(phone.isPhoneCheckSettled()).toBe(false);
    expect(device.calls.length + cloud.calls.length).toBe(0);
    release();
    await phone.loadPhoneCheck();
    expect((await router.generate(ask(aPhone))).route.target).toBe('device');
  });
});
