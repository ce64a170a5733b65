import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserPage } from '@switchyard/testkit';
import { ensureTinyModel, openBrowserPage, ReadmeExamples } from '@switchyard/testkit';
import { afterAll, describe, expect, it } from 'vitest';

// The README's example is run as written in headless Chromium: the page serves the generated tiny model at the
// example's model URL and wllama's wasm at its wasm URL. Its free names are an output element and a scripted remote
// `gpu` (whose text tells its answer apart).
// Written beside this file: the page's bundler resolves the example's imports from this package.
const examples = new ReadmeExamples(new URL('../README.md', import.meta.url), {
  beside: new URL('.', import.meta.url),
});
const dir = examples.dir;
const block = examples.block('## Example');

type Shown = { done: boolean; output: string; gpuCalls: number };
declare global {
  var readmeExample: Shown;
}

/** Runs `source` (the example, perhaps altered) in a fresh page; resolves to what it showed. */
async function runInPage(name: string, source: string): Promise<Shown> {
  const modelUrl = /modelUrl: '(\/[^']+\.gguf)'/.exec(source)?.[1];
  const wasmUrl = /wasmUrl: '(\/[^']+\.wasm)'/.exec(source)?.[1];
  if (!modelUrl || !wasmUrl)
    throw new Error('packages/adapter-wllama/README.md: the example lost its modelUrl or wasmUrl');
  const prelude = [
    "import { createScriptedTarget } from '@switchyard/core/testing';",
    "const output = document.body.appendChild(document.createElement('pre'));",
    "const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote', script: [{ text: 'from the GPU' }] });",
  ].join('\n');
  const postlude =
    'Object.assign(globalThis, { readmeExample: { done: true, output: output.textContent, gpuCalls: gpu.calls.length } });';
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${prelude}\n${source}\n${postlude}\n`);
  const wasm = createRequire(import.meta.url).resolve('@wllama/wllama/esm/wasm/wllama.wasm');
  let browser: BrowserPage | undefined;
  try {
    browser = await openBrowserPage({
      scripts: { '/app.js': file },
      files: { [wasmUrl]: { path: wasm }, [modelUrl]: { path: await ensureTinyModel() } },
    });
    await browser.page.waitForFunction(() => globalThis.readmeExample?.done === true, undefined, { timeout: 60_000 });
    return await browser.page.evaluate(() => globalThis.readmeExample);
  } finally {
    await browser?.close();
  }
}

describe('README example of @switchyard/adapter-wllama (headless Chromium, generated tiny model)', () => {
  afterAll(() => examples.dispose());

  it('streams the answer of the model in the page into the output element', async () => {
    const shown = await runInPage('example', block);
    expect(shown.gpuCalls).toBe(0);
    expect(shown.output.length).toBeGreaterThan(0);
    expect(shown.output).not.toBe('from the GPU');
  });

  it('answers on gpu while the model loads, as its comment says, when it does not wait for load()', async () => {
    expect(block.split('\nawait device.load();\n')).toHaveLength(2);
    const shown = await runInPage('no-wait', block.replace('\nawait device.load();\n', '\n'));
    expect(shown).toMatchObject({ gpuCalls: 1, output: 'from the GPU' });
  });
});
