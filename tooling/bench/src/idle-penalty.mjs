// Measures this machine's idle penalty: how long small pieces of work take when they are the first thing to run
// after the process slept 10 ms (median of 40), next to the same work hot. `node tooling/bench/src/idle-penalty.mjs`.
// On the shared 2-core VM the benchmarks ran on, the first work after idle runs 10–40× slower; rows that start
// requests after a pause (row 3 at one stream) pay it on every request. BENCHMARKS.md explains the consequences.

import { parseRequest } from '@switchyard/contract';
import { createRouter } from '@switchyard/core';
import { createInstantTarget } from './clients.mjs';

const target = createInstantTarget([{ type: 'finish', finishReason: 'stop' }]);
const router = createRouter({ targets: { gpu: target } });
const request = () => ({ messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], maxTokens: 16 });
const cases = {
  'JSON round trip (30 B)': () => JSON.parse(JSON.stringify({ a: [1, 2, 3], b: 'hello world', c: { d: true } })),
  parseRequest: () => parseRequest(request()),
  'router.plan': () => router.plan(request()),
  'router decision step': async () => {
    const iterator = router.stream(request())[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return();
  },
};
for (let index = 0; index < 20_000; index += 1) for (const work of Object.values(cases)) await work();
const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
for (const [name, work] of Object.entries(cases)) {
  const hot = [];
  const afterIdle = [];
  for (let sample = 0; sample < 40; sample += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    let start = performance.now();
    await work();
    afterIdle.push((performance.now() - start) * 1000);
    start = performance.now();
    await work();
    hot.push((performance.now() - start) * 1000);
  }
  console.log(`${name}: ${median(hot).toFixed(1)} µs hot, ${median(afterIdle).toFixed(1)} µs after 10 ms idle`);
}
