// The page half of row 11: the wllama adapter on the tiny model, and wllama itself (its own engine, same settings)
// for the adapter's share, timing the first text delta of each streamed answer inside the page. Threads: 1, or
// `globalThis.benchThreads` when the page sets it (a cross-origin isolated page can run wasm threads).

import { createWllamaTarget } from '@switchyard/adapter-wllama';
import { Wllama } from '@wllama/wllama';

const threads = globalThis.benchThreads ?? 1;
const contextSize = 1024;
const target = createWllamaTarget({
  modelUrl: `${location.origin}/tiny.gguf`,
  wasmUrl: '/wllama.wasm',
  contextSize,
  threads,
  useCache: false,
});
const engine = new Wllama({ default: '/wllama.wasm' }, { suppressNativeLog: true });
// After the adapter's engine has loaded: two engines fetching one model at once collide on the page's file storage.
const engineReady = (async () => {
  while (target.status().state !== 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
  await engine.loadModelFromUrl(`${location.origin}/tiny.gguf`, {
    n_ctx: contextSize,
    n_threads: threads,
    useCache: false,
  });
})();

/** Microseconds from the call to the first text delta through the adapter; drains the rest of the answer. */
async function ttft(text, maxTokens) {
  const started = performance.now();
  let first;
  for await (const part of target.stream({ messages: [{ role: 'user', content: text }], maxTokens, temperature: 0 })) {
    if (part.type === 'text-delta' && first === undefined) first = performance.now() - started;
  }
  if (first === undefined) throw new Error('wllama: no text before the end of the stream');
  return first * 1000;
}

/** The same through wllama's own `createChatCompletion`, as its README shows, with no adapter in between. */
async function ttftDirect(text, maxTokens) {
  const started = performance.now();
  let first;
  await engine.createChatCompletion({
    messages: [{ role: 'user', content: text }],
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    onData(chunk) {
      if (first === undefined && chunk.choices?.[0]?.delta?.content) first = performance.now() - started;
    },
  });
  if (first === undefined) throw new Error('wllama: no text before the end of the stream');
  return first * 1000;
}

let engineLoaded = false;
void engineReady.then(() => {
  engineLoaded = true;
});
const ready = () => engineLoaded && target.status().state === 'ready';

globalThis.benchBrowser = {
  target,
  engine,
  ttft,
  ttftDirect,
  ready,
  threads,
  isolated: globalThis.crossOriginIsolated,
};
