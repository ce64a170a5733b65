// Row 2's paired CPU method for two builds of the repository (e.g. `main` in a `git worktree add --detach` and a
// branch): each build in its own process (`ab-throughput-cpu-arm.mjs`) against one loopback upstream, batches of the
// row's two arms at concurrency 64 taking turns in blocks of four, [A direct, A routed, B routed, B direct], mirrored
// every other block, so the two builds' routed batches sit side by side. Per block: B's routed CPU / A's (the change's
// effect on the router's cost), and each build's direct/routed CPU (row 2's figure, each against its own direct arm).
// Run an A/A first (the same build twice): its B/A is this machine's floor for the method.
//
//   node tooling/bench/src/ab-throughput-cpu.mjs <buildA> <buildB> [blocks=20] [requestsPerBatch=1500]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.mjs';

const [buildA, buildB, blocksArg = '20', perBatchArg = '1500'] = process.argv.slice(2);
if (buildA === undefined || buildB === undefined) {
  console.error('usage: node ab-throughput-cpu.mjs <buildA> <buildB> [blocks] [requestsPerBatch]');
  process.exit(2);
}
const upstreamProcess = fork(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => upstreamProcess.once('message', (message) => resolve(message.url)));
const armScript = fileURLToPath(new URL('./ab-throughput-cpu-arm.mjs', import.meta.url));
async function start(root) {
  const child = fork(armScript, [root, upstream], { execArgv: ['--expose-gc'] });
  await new Promise((resolve) => child.once('message', resolve));
  return child;
}
const batch = (child, arm, count) =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send({ arm, count });
  });

const builds = { A: await start(buildA), B: await start(buildB) };
const perBatch = Number(perBatchArg);
for (let warm = 0; warm < 3; warm += 1) {
  for (const name of ['A', 'B']) for (const arm of ['direct', 'routed']) await batch(builds[name], arm, perBatch);
}
const figures = { routedBA: [], ratioA: [], ratioB: [], routedA: [], routedB: [], directA: [], directB: [] };
for (let block = 0; block < Number(blocksArg); block += 1) {
  const [first, second] = block % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
  const got = {};
  got[`direct${first}`] = await batch(builds[first], 'direct', perBatch);
  got[`routed${first}`] = await batch(builds[first], 'routed', perBatch);
  got[`routed${second}`] = await batch(builds[second], 'routed', perBatch);
  got[`direct${second}`] = await batch(builds[second], 'direct', perBatch);
  figures.routedBA.push(got.routedB.cpu / got.routedA.cpu);
  figures.ratioA.push(got.directA.cpu / got.routedA.cpu);
  figures.ratioB.push(got.directB.cpu / got.routedB.cpu);
  for (const key of ['routedA', 'routedB', 'directA', 'directB']) figures[key].push(got[key].cpu);
}
const show = (values, digits = 3) =>
  `${percentile(values, 50).toFixed(digits)} (quartiles ${percentile(values, 25).toFixed(digits)} … ${percentile(values, 75).toFixed(digits)}, ` +
  `${Math.min(...values).toFixed(digits)} … ${Math.max(...values).toFixed(digits)})`;
const lower = figures.routedBA.filter((value) => value < 1).length;
console.log(
  `${blocksArg} blocks of 4 × ${perBatch} requests at c=64\n` +
    `  CPU µs per request: A direct ${show(figures.directA, 1)}, routed ${show(figures.routedA, 1)}\n` +
    `                      B direct ${show(figures.directB, 1)}, routed ${show(figures.routedB, 1)}\n` +
    `  routed CPU B/A:     ${show(figures.routedBA)}; B lower in ${lower}/${figures.routedBA.length} blocks\n` +
    `  row 2 (direct/routed CPU): A ${show(figures.ratioA)}, B ${show(figures.ratioB)}`,
);
for (const child of Object.values(builds)) child.send({ arm: 'exit' });
upstreamProcess.kill();
