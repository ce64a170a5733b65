// One build's arm for `ab-stream-cpu.mjs`, in a process of its own (argv[2]: the repository dir of the build): on each
// message N, N `router.stream()` calls read to their end by 16 concurrent loops; answers the CPU per call in µs.
const [dir] = process.argv.slice(2);
const { createRouter } = await import(`${dir}/packages/core/dist/index.js`);

const usage = { inputTokens: 8, outputTokens: 4 };
/** A remote target that answers at once, as the bench upstream's `zero` model does: one text part, usage, finish. */
const target = {
  specificationVersion: 'v1',
  id: 'in-process',
  locality: 'remote',
  capabilities: { contextWindow: 8192, maxOutputTokens: 1024, tools: true, jsonSchema: true, images: false },
  status: () => ({ state: 'ready' }),
  generate: async () => ({ text: 'Hello from the bench.', toolCalls: [], finishReason: 'stop', usage }),
  async *stream() {
    yield { type: 'text-delta', text: 'Hello from the bench.' };
    yield { type: 'usage', usage };
    yield { type: 'finish', finishReason: 'stop' };
  },
};
const router = createRouter({ targets: { gpu: target }, policy: { mode: 'remote-only' } });
const request = () => ({ messages: [{ role: 'user', content: 'Say hello in five words.' }], maxTokens: 16 });

async function batch(count) {
  let left = count;
  const loop = async () => {
    while (left > 0) {
      left -= 1;
      for await (const _part of router.stream(request()));
    }
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: 16 }, loop));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

process.on('message', async (count) => process.send(await batch(count)));
process.send('ready');
