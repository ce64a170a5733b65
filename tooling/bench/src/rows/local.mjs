// Row 8: the local path. @switchyard/adapter-llamacpp (its sequence queue, chat history mapping and streaming) against
// node-llama-cpp called directly the same way the adapter calls it (LlamaChat on one context sequence), on the
// generated tiny model, 1 thread, same context size, same maxTokens, greedy. Figure: tokens/s ratio adapter/direct,
// sequential calls, alternating order round by round.
import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
import { ensureTinyModel } from '@switchyard/testkit';
import { getLlama, LlamaChat } from 'node-llama-cpp';
import { armOrder } from '../clients.mjs';
import { paired } from '../stats.mjs';

const contextSize = 1024;
const maxTokens = 64;
const prompts = [
  'Tell me about rail yards.',
  'What is a switchyard?',
  'Name three trains.',
  'Why do freight cars couple?',
];

export async function run({ rounds, quick, log }) {
  const modelPath = await ensureTinyModel();
  const target = createLlamaCppTarget({ modelPath, threads: 1, gpu: false, contextSize, sequences: 1 });
  await target.load();
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({
    contextSize,
    sequences: 1,
    threads: 1,
    batchSize: Math.min(512, contextSize),
  });
  const sequence = context.getSequence();

  const arms = {
    adapter: async (text) => {
      const result = await target.generate({ messages: [{ role: 'user', content: text }], maxTokens, temperature: 0 });
      return result.usage.outputTokens;
    },
    direct: async (text) => {
      const chat = new LlamaChat({ contextSequence: sequence });
      try {
        const before = sequence.tokenMeter.usedOutputTokens;
        await chat.generateResponse(
          [
            { type: 'user', text },
            { type: 'model', response: [] },
          ],
          {
            maxTokens,
            temperature: 0,
            onTextChunk: () => {},
          },
        );
        return Math.min(maxTokens, sequence.tokenMeter.usedOutputTokens - before);
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    },
  };
  const callsPerRound = quick ? 2 : 8;
  const perRound = { adapter: [], direct: [] };
  try {
    for (let round = 0; round <= rounds; round += 1) {
      const record = {};
      for (const arm of armOrder(['direct', 'adapter'], round)) {
        let tokens = 0;
        const started = process.hrtime.bigint();
        for (let call = 0; call < callsPerRound; call += 1) tokens += await arms[arm](prompts[call % prompts.length]);
        record[arm] = tokens / (Number(process.hrtime.bigint() - started) / 1e9);
      }
      if (round === 0) continue;
      perRound.adapter.push(record.adapter);
      perRound.direct.push(record.direct);
      log(`local round ${round}: tokens/s direct ${record.direct.toFixed(0)}, adapter ${record.adapter.toFixed(0)}`);
    }
  } finally {
    await target.dispose();
    sequence.dispose();
    await context.dispose();
    await model.dispose();
  }
  return {
    unit: 'tokens/s',
    model: 'testkit tiny (generated GGUF)',
    threads: 1,
    maxTokens,
    callsPerRound,
    tokensPerSecond: paired(perRound.adapter, perRound.direct),
  };
}
