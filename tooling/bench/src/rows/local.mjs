// Rows 8 and 9: the local path, on the generated tiny model, 1 thread, same context size, greedy.
// Direct arm: node-llama-cpp used as its docs show, one `LlamaChat` on one context sequence, created once (its chat
// wrapper resolved once) and called with `generateResponse` per request. Adapter arm: `@switchyard/adapter-llamacpp`
// (its sequence queue, chat history mapping and streaming). Router arm: `router.stream()` over a second adapter target,
// with the router's default policy (PII detection on). Every arm has its own model context, so each sees the same
// sequence of prompts and the same prefix reuse.
// Row 8: tokens/s ratio adapter/direct, sequential `generate()` calls, alternating order round by round.
// Row 9: time to first token (TTFT), the arms taking turns request by request (order alternating), `maxTokens` 4.
import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { createRouter } from '@switchyard/core';
import { ensureTinyModel } from '@switchyard/testkit';
import { getLlama, LlamaChat } from 'node-llama-cpp';
import { armOrder } from '../clients.mjs';
import { paired, percentile } from '../stats.mjs';

const contextSize = 1024;
const maxTokens = 64;
const ttftMaxTokens = 4;
const prompts = [
  'Tell me about rail yards.',
  'What is a switchyard?',
  'Name three trains.',
  'Why do freight cars couple?',
];

/** node-llama-cpp used directly: one LlamaChat on one context sequence, on `threads` threads (row 11 uses 2 too). */
export async function createDirect(llama, modelPath, threads = 1) {
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({
    contextSize,
    sequences: 1,
    threads,
    batchSize: Math.min(512, contextSize),
  });
  const sequence = context.getSequence();
  const chat = new LlamaChat({ contextSequence: sequence });
  const generate = async (text, tokens, onTextChunk) => {
    const before = sequence.tokenMeter.usedOutputTokens;
    await chat.generateResponse(
      [
        { type: 'user', text },
        { type: 'model', response: [] },
      ],
      { maxTokens: tokens, temperature: 0, onTextChunk },
    );
    return Math.min(tokens, sequence.tokenMeter.usedOutputTokens - before);
  };
  const dispose = async () => {
    chat.dispose();
    sequence.dispose();
    await context.dispose();
    await model.dispose();
  };
  return { generate, dispose };
}

/** Microseconds from the call to node-llama-cpp's first text chunk, on a {@link createDirect} model. */
export async function directTtft(direct, text) {
  const started = process.hrtime.bigint();
  let first;
  await direct.generate(text, ttftMaxTokens, (chunk) => {
    if (chunk && first === undefined) first = Number(process.hrtime.bigint() - started) / 1000;
  });
  if (first === undefined) throw new Error('direct node-llama-cpp: no text');
  return first;
}

/** Microseconds from the call to the first text delta of `parts`; drains the rest. */
export async function ttftOf(parts) {
  const started = process.hrtime.bigint();
  let first;
  for await (const part of parts) {
    if (part.type === 'text-delta' && first === undefined) first = Number(process.hrtime.bigint() - started) / 1000;
  }
  if (first === undefined) throw new Error('no text before the end of the stream');
  return first;
}

export async function run({ rounds, quick, log }) {
  const modelPath = await ensureTinyModel();
  const settings = { modelPath, threads: 1, gpu: false, contextSize, sequences: 1 };
  const target = createLlamaCppTarget(settings);
  const routedTarget = createLlamaCppTarget({ ...settings, id: 'local' });
  await Promise.all([target.load(), routedTarget.load()]);
  const router = createRouter({ targets: { local: routedTarget } });
  const llama = await getLlama({ gpu: false, build: 'never' });
  const direct = await createDirect(llama, modelPath);
  const request = (text, tokens) => ({
    messages: [{ role: 'user', content: text }],
    maxTokens: tokens,
    temperature: 0,
  });

  const throughputArms = {
    adapter: async (text) => (await target.generate(request(text, maxTokens))).usage.outputTokens,
    direct: (text) => direct.generate(text, maxTokens, () => {}),
  };
  const ttftArms = {
    direct: (text) => directTtft(direct, text),
    adapter: (text) => ttftOf(target.stream(request(text, ttftMaxTokens))),
    router: (text) => ttftOf(router.stream(request(text, ttftMaxTokens))),
  };
  const callsPerRound = quick ? 2 : 8;
  const ttftCallsPerRound = quick ? 8 : 40;
  const perRound = { adapter: [], direct: [] };
  const ttft = { direct: [], adapter: [], router: [] };
  try {
    for (let round = 0; round <= rounds; round += 1) {
      const record = {};
      for (const arm of armOrder(['direct', 'adapter'], round)) {
        let tokens = 0;
        const started = process.hrtime.bigint();
        for (let call = 0; call < callsPerRound; call += 1) {
          tokens += await throughputArms[arm](prompts[call % prompts.length]);
        }
        record[arm] = tokens / (Number(process.hrtime.bigint() - started) / 1e9);
      }
      const samples = { direct: [], adapter: [], router: [] };
      for (let call = 0; call < ttftCallsPerRound; call += 1) {
        for (const arm of armOrder(['direct', 'adapter', 'router'], call + round)) {
          samples[arm].push(await ttftArms[arm](prompts[call % prompts.length]));
        }
      }
      if (round === 0) continue;
      perRound.adapter.push(record.adapter);
      perRound.direct.push(record.direct);
      for (const arm of Object.keys(ttft)) ttft[arm].push(percentile(samples[arm], 50));
      log(
        `local round ${round}: tokens/s direct ${record.direct.toFixed(0)}, adapter ${record.adapter.toFixed(0)}; ` +
          `TTFT p50 direct ${ttft.direct.at(-1).toFixed(0)} µs, adapter ${ttft.adapter.at(-1).toFixed(0)} µs, ` +
          `router ${ttft.router.at(-1).toFixed(0)} µs`,
      );
    }
  } finally {
    await target.dispose();
    await routedTarget.dispose();
    await direct.dispose();
  }
  return {
    unit: 'tokens/s; TTFT in µs (p50 per round)',
    model: 'testkit tiny (generated GGUF)',
    threads: 1,
    maxTokens,
    ttftMaxTokens,
    callsPerRound,
    ttftCallsPerRound,
    tokensPerSecond: paired(perRound.adapter, perRound.direct),
    ttft: {
      adapterVsDirect: paired(ttft.adapter, ttft.direct),
      routerVsAdapter: paired(ttft.router, ttft.adapter),
      routerVsDirect: paired(ttft.router, ttft.direct),
    },
  };
}
