// The page half of row 11: the wllama adapter on the tiny model, single-threaded (as a page without COOP/COEP runs),
// timing the first text delta of each streamed answer inside the page.
import { createWllamaTarget } from '@switchyard/adapter-wllama';

const target = createWllamaTarget({
  modelUrl: `${location.origin}/tiny.gguf`,
  wasmUrl: '/wllama.wasm',
  contextSize: 1024,
  threads: 1,
  useCache: false,
});

/** Microseconds from the call to the first text delta; drains the rest of the answer. */
async function ttft(text, maxTokens) {
  const started = performance.now();
  let first;
  for await (const part of target.stream({ messages: [{ role: 'user', content: text }], maxTokens, temperature: 0 })) {
    if (part.type === 'text-delta' && first === undefined) first = performance.now() - started;
  }
  if (first === undefined) throw new Error('wllama: no text before the end of the stream');
  return first * 1000;
}

globalThis.benchBrowser = { target, ttft };
