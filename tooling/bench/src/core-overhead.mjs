// Profiling helper: the router's own CPU per request, without a network. `node tooling/bench/src/core-overhead.mjs
// [N]` times `router.generate` over an in-process target that answers at once against consuming that target's
// stream directly (µs per call, two alternating passes after warm-up); add `--cpu-prof` to see where it goes.
import { createRouter } from '@switchyard/core';
import { createInstantTarget } from './clients.mjs';

const target = createInstantTarget([
  { type: 'text-delta', text: 'Hello there' },
  { type: 'usage', usage: { inputTokens: 10, outputTokens: 3 } },
  { type: 'finish', finishReason: 'stop' },
]);
const router = createRouter({ targets: { gpu: target } });
const request = () => ({ messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], maxTokens: 16 });
const arms = {
  direct: async () => {
    let text = '';
    for await (const part of target.stream(request())) if (part.type === 'text-delta') text += part.text;
    return text;
  },
  routed: async () => (await router.generate(request())).text,
};
const calls = Number(process.argv[2] ?? 20_000);
for (let pass = 0; pass < 2; pass += 1) {
  for (const [name, arm] of Object.entries(arms)) {
    for (let index = 0; index < 2000; index += 1) await arm();
    const start = process.hrtime.bigint();
    for (let index = 0; index < calls; index += 1) await arm();
    console.log(`${name}: ${(Number(process.hrtime.bigint() - start) / calls / 1000).toFixed(2)} µs per call`);
  }
}
