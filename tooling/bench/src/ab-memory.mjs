// Row 5 (memory per in-flight request, routed − direct) for two builds of the repository, paired in one process:
// per round the direct arm and both builds' routers hold 1 000 requests each in turn (order alternating), and each
// build's figure is its growth less the direct arm's in the same round. Memory figures do not depend on which build
// loaded first, unlike timings (see `ab-latency.mjs`).
//
//   node --expose-gc tooling/bench/src/ab-memory.mjs <buildA> <buildB> [rounds=5]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDirectAgent, directJson, routedRequest } from './clients.mjs';
import { measure } from './rows/memory.mjs';

const [buildA, buildB, roundsArg = '5'] = process.argv.slice(2);
if (typeof globalThis.gc !== 'function' || buildA === undefined || buildB === undefined) {
  console.error('usage: node --expose-gc ab-memory.mjs <buildA> <buildB> [rounds]');
  process.exit(2);
}
const upstreamProcess = fork(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => upstreamProcess.once('message', (message) => resolve(message.url)));
async function routerOf(root) {
  const core = await import(`${root}/packages/core/dist/index.js`);
  const openai = await import(`${root}/packages/adapter-openai/dist/index.js`);
  const gpu = openai.createOpenAITarget({ baseURL: `${upstream}/v1`, model: 'hold', id: 'gpu' });
  return core.createRouter({ targets: { gpu } });
}
const agent = createDirectAgent();
const routers = { A: await routerOf(buildA), B: await routerOf(buildB) };
const arms = {
  direct: () => directJson(agent, upstream, 'hold'),
  A: () => routers.A.generate(routedRequest()),
  B: () => routers.B.generate(routedRequest()),
};
const added = { A: [], B: [] };
for (let round = 0; round <= Number(roundsArg); round += 1) {
  const figures = {};
  for (const name of round % 2 === 0 ? ['direct', 'A', 'B'] : ['B', 'direct', 'A']) {
    figures[name] = await measure(upstream, arms[name], 1000);
  }
  if (round === 0) continue;
  added.A.push(figures.A - figures.direct);
  added.B.push(figures.B - figures.direct);
  console.log(
    `round ${round}: direct ${figures.direct.toFixed(0)} B; added A ${added.A.at(-1).toFixed(0)} B, B ${added.B.at(-1).toFixed(0)} B`,
  );
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)].toFixed(0)} (${sorted[0].toFixed(0)} … ${sorted.at(-1).toFixed(0)})`;
};
console.log(`median added per in-flight request: A ${median(added.A)} B, B ${median(added.B)} B`);
await agent.close();
upstreamProcess.kill();
process.exit(0);
