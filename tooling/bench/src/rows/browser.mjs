// Row 11: the device tier in a browser. Time to first token of the wllama adapter (llama.cpp in WebAssembly, in its
// worker) inside headless Chromium, against node-llama-cpp used directly (as row 9's direct arm: one LlamaChat on one
// context sequence) and the llama.cpp adapter, both native in this process, on the same generated tiny model, same
// context size, same prompts, greedy, `maxTokens` 4. Two pages: one thread (an ordinary page), and two threads in a
// cross-origin isolated page (COOP/COEP, wasm threads), against native arms on the same thread counts. Each page also
// times wllama's own `createChatCompletion` on its own engine, so the adapter's share is measured, not guessed. The
// arms take turns call by call (order rotating); the page's clock is coarsened by the browser (about 0.1 ms).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { ensureTinyModel, openBrowserPage } from '@switchyard/testkit';
import { getLlama } from 'node-llama-cpp';
import { armOrder } from '../clients.mjs';
import { paired, percentile } from '../stats.mjs';
import { createDirect, directTtft, ttftOf } from './local.mjs';

const require = createRequire(import.meta.url);
const contextSize = 1024;
const ttftMaxTokens = 4;
const prompts = [
  'Tell me about rail yards.',
  'What is a switchyard?',
  'Name three trains.',
  'Why do freight cars couple?',
];

async function openPage(modelPath, threads) {
  const wllamaRequire = createRequire(require.resolve('@switchyard/adapter-wllama/package.json'));
  const browser = await openBrowserPage({
    scripts: { '/app.js': fileURLToPath(new URL('../browser-page.mjs', import.meta.url)) },
    files: {
      '/wllama.wasm': { path: wllamaRequire.resolve('@wllama/wllama/esm/wasm/wllama.wasm') },
      '/tiny.gguf': { path: modelPath },
    },
    body: `<script>globalThis.benchThreads = ${threads};</script>`,
    crossOriginIsolated: threads > 1,
  });
  await browser.page.waitForFunction(() => globalThis.benchBrowser?.ready() === true, undefined, { timeout: 180_000 });
  const ttft = (name) => (text) =>
    browser.page.evaluate(({ name, text, tokens }) => globalThis.benchBrowser[name](text, tokens), {
      name,
      text,
      tokens: ttftMaxTokens,
    });
  const isolated = await browser.page.evaluate(() => globalThis.benchBrowser.isolated === true);
  return { browser, isolated, adapter: ttft('ttft'), direct: ttft('ttftDirect') };
}

async function nativeArms(llama, modelPath, threads) {
  // The direct arm as row 9 builds it, on `threads` threads.
  const direct = await createDirect(llama, modelPath, threads);
  const adapter = createLlamaCppTarget({ modelPath, threads, gpu: false, contextSize, sequences: 1 });
  await adapter.load();
  return {
    direct: (text) => directTtft(direct, text),
    adapter: (text) =>
      ttftOf(adapter.stream({ messages: [{ role: 'user', content: text }], maxTokens: ttftMaxTokens, temperature: 0 })),
    dispose: async () => {
      await direct.dispose();
      await adapter.dispose();
    },
  };
}

export async function run({ rounds, quick, log }) {
  const modelPath = await ensureTinyModel();
  const llama = await getLlama({ gpu: false });
  const callsPerRound = quick ? 4 : 16;
  const result = {
    unit: 'TTFT in µs (p50 per round)',
    model: 'testkit tiny (generated GGUF)',
    contextSize,
    ttftMaxTokens,
    callsPerRound,
  };
  for (const threads of [1, 2]) {
    const page = await openPage(modelPath, threads);
    const native = await nativeArms(llama, modelPath, threads);
    try {
      const arms = {
        wllamaAdapter: page.adapter,
        wllamaDirect: page.direct,
        llamacppAdapter: native.adapter,
        nodeLlamaCpp: native.direct,
      };
      const names = Object.keys(arms);
      const perRound = Object.fromEntries(names.map((name) => [name, []]));
      for (let round = 0; round <= rounds; round += 1) {
        const samples = Object.fromEntries(names.map((name) => [name, []]));
        for (let call = 0; call < callsPerRound; call += 1) {
          for (const arm of armOrder(names, call + round)) {
            samples[arm].push(await arms[arm](prompts[call % prompts.length]));
          }
        }
        if (round === 0) continue;
        for (const name of names) perRound[name].push(percentile(samples[name], 50));
        log(
          `browser ${threads} thread(s) round ${round}: TTFT p50 ` +
            names.map((name) => `${name} ${perRound[name].at(-1).toFixed(0)} µs`).join(', '),
        );
      }
      result[`threads${threads}`] = {
        threads,
        crossOriginIsolated: page.isolated,
        chromium: page.browser.page.context().browser()?.version(),
        wllamaVsNodeLlamaCpp: paired(perRound.wllamaAdapter, perRound.nodeLlamaCpp),
        wllamaVsLlamacppAdapter: paired(perRound.wllamaAdapter, perRound.llamacppAdapter),
        wllamaAdapterVsWllama: paired(perRound.wllamaAdapter, perRound.wllamaDirect),
        wllamaVsNodeLlamaCppDirect: paired(perRound.wllamaDirect, perRound.nodeLlamaCpp),
      };
    } finally {
      await native.dispose();
      await page.browser.close();
    }
  }
  return result;
}
