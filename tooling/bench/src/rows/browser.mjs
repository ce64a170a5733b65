// Row 11: the device tier in a browser. Time to first token of the wllama adapter (llama.cpp in WebAssembly, in its
// worker) inside headless Chromium, against the llama.cpp adapter (node-llama-cpp, native) in this process, on the
// same generated tiny model, one thread each, same context size, greedy, `maxTokens` 4. The arms take turns call by
// call (order alternating); the page's clock is coarsened by the browser (about 0.1 ms), far below these figures.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { ensureTinyModel, openBrowserPage } from '@switchyard/testkit';
import { armOrder } from '../clients.mjs';
import { paired, percentile } from '../stats.mjs';
import { ttftOf } from './local.mjs';

const require = createRequire(import.meta.url);
const contextSize = 1024;
const ttftMaxTokens = 4;
const prompts = [
  'Tell me about rail yards.',
  'What is a switchyard?',
  'Name three trains.',
  'Why do freight cars couple?',
];

export async function run({ rounds, quick, log }) {
  const modelPath = await ensureTinyModel();
  const wllamaRequire = createRequire(require.resolve('@switchyard/adapter-wllama/package.json'));
  const browser = await openBrowserPage({
    scripts: { '/app.js': fileURLToPath(new URL('../browser-page.mjs', import.meta.url)) },
    files: {
      '/wllama.wasm': { path: wllamaRequire.resolve('@wllama/wllama/esm/wasm/wllama.wasm') },
      '/tiny.gguf': { path: modelPath },
    },
  });
  const native = createLlamaCppTarget({ modelPath, threads: 1, gpu: false, contextSize, sequences: 1 });
  try {
    await native.load();
    await browser.page.waitForFunction(() => globalThis.benchBrowser?.target.status().state === 'ready', undefined, {
      timeout: 180_000,
    });
    const arms = {
      wllama: (text) =>
        browser.page.evaluate(({ text, tokens }) => globalThis.benchBrowser.ttft(text, tokens), {
          text,
          tokens: ttftMaxTokens,
        }),
      llamacpp: (text) =>
        ttftOf(
          native.stream({ messages: [{ role: 'user', content: text }], maxTokens: ttftMaxTokens, temperature: 0 }),
        ),
    };
    const callsPerRound = quick ? 4 : 20;
    const perRound = { wllama: [], llamacpp: [] };
    for (let round = 0; round <= rounds; round += 1) {
      const samples = { wllama: [], llamacpp: [] };
      for (let call = 0; call < callsPerRound; call += 1) {
        for (const arm of armOrder(['wllama', 'llamacpp'], call + round)) {
          samples[arm].push(await arms[arm](prompts[call % prompts.length]));
        }
      }
      if (round === 0) continue;
      perRound.wllama.push(percentile(samples.wllama, 50));
      perRound.llamacpp.push(percentile(samples.llamacpp, 50));
      log(
        `browser round ${round}: TTFT p50 wllama in page ${perRound.wllama.at(-1).toFixed(0)} µs, ` +
          `node-llama-cpp ${perRound.llamacpp.at(-1).toFixed(0)} µs`,
      );
    }
    return {
      unit: 'TTFT in µs (p50 per round)',
      model: 'testkit tiny (generated GGUF)',
      threads: 1,
      contextSize,
      ttftMaxTokens,
      callsPerRound,
      chromium: browser.page.context().browser()?.version(),
      ttft: { wllamaVsLlamacpp: paired(perRound.wllama, perRound.llamacpp) },
    };
  } finally {
    await native.dispose();
    await browser.close();
  }
}
