import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README's "In a browser: the phone check" example is run as written on core as its browser build bundles it
// (phone-numbers.browser.ts for phone-numbers.ts, as the package's `browser` condition gives a page), so what it says
// a page sees before and after the numbering plans load cannot drift. On Node the full check answers from the start.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const heading = '### In a browser: the phone check';
const start = readme.indexOf(`\n${heading}\n`);
const block = start < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-phone-check-'));

describe('README: in a browser, the phone check (core as its browser build)', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    vi.doUnmock('../src/privacy/phone-numbers.js');
    Reflect.deleteProperty(globalThis, 'readmeShown');
  });

  it('counts an order reference as a phone number until the plans have loaded, and not after', async () => {
    if (block === undefined) throw new Error(`packages/core/README.md: no \`\`\`ts block under "${heading}"`);
    vi.resetModules();
    vi.doMock('../src/privacy/phone-numbers.js', () => import('../src/privacy/phone-numbers.browser.js'));
    // Each `expression; // value` line records its value (the example's free name is the pii entry's export).
    const shown: unknown[] = [];
    Object.assign(globalThis, { readmeShown: shown });
    const source = block.replace(/^(detect\([^;]*\)\.kinds);( \/\/ .*)$/gm, 'globalThis.readmeShown.push($1);$2');
    const file = join(dir, 'phone-check.ts');
    writeFileSync(file, `import { createPiiDetector } from '@switchyard/core/pii';\n${source}`);
    await import(pathToFileURL(file).href);
    expect(shown).toEqual([['phone-number'], []]);
  });
});
