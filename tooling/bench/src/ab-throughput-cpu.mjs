// Row 2's paired CPU method for two builds of the repository (e.g. `main` in a `git worktree add --detach` and a
// branch): one router of each build (each imported from its own checkout, with its own adapter and undici) in this
// process, over one loopback upstream, batches of `router.generate` at concurrency 64 taking turns ABBA / BAAB
// (`paired-cpu.mjs`), this process's CPU per request around each batch. B's routed CPU / A's per pair is the change's
// effect on the router's cost; the A/A lines (each build against itself in the same blocks) are the floor.
//
// One process, not one per build: with the two builds in separate processes taking turns, an A/A of one build read
// 0.85 and 1.04 under load 3-6 here (each process's speed moves on its own); in one process it read 0.99-1.01. Run both
// orders (A B, then B A) and an A/A of one build (the same directory twice) first.
//
//   node --expose-gc tooling/bench/src/ab-throughput-cpu.mjs <buildA> <buildB> [blocks=30] [requestsPerBatch=1500]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pairedCpu } from './paired-cpu.mjs';

const [buildA, buildB, blocksArg = '30', perBatchArg = '1500'] = process.argv.slice(2);
if (buildA === undefined || buildB === undefined) {
  console.error('usage: node --expose-gc ab-throughput-cpu.mjs <buildA> <buildB> [blocks] [requestsPerBatch]');
  process.exit(2);
}
const upstreamProcess = fork(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => upstreamProcess.once('message', (message) => resolve(message.url)));

/** `router.generate` of the build in `root`, as row 2's routed arm. */
async function routedArm(root) {
  const { createRoutedArm, routedRequest } = await import(`${root}/tooling/bench/src/clients.mjs`);
  const { router } = createRoutedArm(upstream, 'zero');
  return () => router.generate(routedRequest());
}

const result = await pairedCpu(
  { A: await routedArm(buildA), B: await routedArm(buildB) },
  { blocks: Number(blocksArg), perBatch: Number(perBatchArg), warmup: 4 },
);
// pairedCpu's ratio is A's CPU / B's per pair; B / A is its inverse (quartiles swap).
const ba = result.ratio;
const lower = result.ratio.rounds.filter((value) => value > 1).length;
const show = (s) => `${s.median.toFixed(3)} (quartiles ${s.q1.toFixed(3)} … ${s.q3.toFixed(3)})`;
console.log(
  `${blocksArg} blocks of 4 × ${perBatchArg} routed requests at c=64, one process\n` +
    `  CPU µs per request: A ${result.cpuPerRequest.A.median.toFixed(1)}, B ${result.cpuPerRequest.B.median.toFixed(1)} (medians)\n` +
    `  B/A routed CPU: ${(1 / ba.median).toFixed(3)} (quartiles ${(1 / ba.q3).toFixed(3)} … ${(1 / ba.q1).toFixed(3)}); ` +
    `B lower in ${lower}/${ba.rounds.length} pairs\n` +
    `  A/A: A ${show(result.aa.A)}, B ${show(result.aa.B)}`,
);
upstreamProcess.kill();
process.exit(0);
