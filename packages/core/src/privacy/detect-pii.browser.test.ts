import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createPiiDetector as createNodeDetector, type PiiDetection, piiKinds } from './detect-pii.js';

// The detector as the browser build bundles it (phone-numbers.browser.ts for phone-numbers.ts), loaded beside the
// Node one: modules imported after the reset get the browser phone check.
vi.resetModules();
vi.doMock('./phone-numbers.js', () => import('./phone-numbers.browser.js'));
const { createPiiDetector: createBrowserDetector } = await import('./detect-pii.js');
// The full check: its numbering plans load on demand (phone-numbers-loading.browser.test.ts covers the time before).
await (await import('./phone-numbers.js')).loadPhoneCheck();

// The corpus `switchyard eval-privacy` ships with the server: samples with the kinds they contain, and clean prompts.
const corpus = readFileSync(new URL('../../../server/data/privacy-corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { kinds: string[]; text: string; region?: string });

const findings = (detection: PiiDetection) =>
  detection.findings.map(({ kind, start, end, confidence }) => ({ kind, start, end, confidence }));

describe("the browser build's detector on the eval-privacy corpus", () => {
  it('is the browser build: outside the regions whose number types ship it reads the possible lengths', () => {
    // +64 2806 6684 has one of New Zealand's possible lengths but fits none of its number types.
    const text = 'Call +64 2806 6684 tomorrow';
    expect(createBrowserDetector({ regions: ['US'] })(text).kinds).toEqual(['phone-number']);
    expect(createNodeDetector({ regions: ['US'] })(text).kinds).toEqual([]);
  });

  it("rejects a national number written without the trunk prefix libphonenumber's national format adds", () => {
    for (const [text, region, kinds] of [
      ['Ruf an: 89 1234567', 'DE', []],
      ['Ruf an: 089 1234567', 'DE', ['phone-number']],
      ['ring 7911 123456', 'GB', []],
      ['call 9876543210', 'IN', []],
      ['call 09876543210', 'IN', ['phone-number']],
    ] as const) {
      expect(createBrowserDetector({ regions: [region] })(text).kinds, text).toEqual(kinds);
      expect(createNodeDetector({ regions: [region] })(text).kinds, text).toEqual(kinds);
    }
  });

  it('finds exactly what the Node build finds, at the same confidence, in every sample', () => {
    const node = new Map<string, ReturnType<typeof createNodeDetector>>();
    const browser = new Map<string, ReturnType<typeof createBrowserDetector>>();
    for (const { text, region = 'US' } of corpus) {
      if (!node.has(region)) node.set(region, createNodeDetector({ regions: [region] }));
      if (!browser.has(region)) browser.set(region, createBrowserDetector({ regions: [region] }));
      expect(findings(browser.get(region)!(text)), text).toEqual(findings(node.get(region)!(text)));
    }
  });

  it('keeps recall 1.0 for every kind and flags no clean prompt (issue #22: false positives <= 1 %)', () => {
    const detectors = new Map<string, ReturnType<typeof createBrowserDetector>>();
    const missed: string[] = [];
    let clean = 0;
    for (const { text, kinds, region = 'US' } of corpus) {
      if (!detectors.has(region)) detectors.set(region, createBrowserDetector({ regions: [region] }));
      const found = detectors.get(region)!(text).kinds as string[];
      if (kinds.length === 0) {
        clean += 1;
        if (found.length > 0) missed.push(`clean, flagged ${found.join()}: ${text}`);
      }
      for (const kind of kinds) if (!found.includes(kind)) missed.push(`${kind}: ${text}`);
    }
    expect(clean).toBeGreaterThan(100);
    expect(new Set(corpus.flatMap((sample) => sample.kinds)).size).toBeGreaterThan(piiKinds.length / 2);
    expect(missed).toEqual([]);
  });
});
