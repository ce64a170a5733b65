// Row 1's added p50 at concurrency 1 for two builds of the repository (e.g. `main` in a `git worktree add --detach`
// and a branch), paired in one run. Each build runs in its own process (`ab-latency-arm.mjs`) against one upstream,
// and the two take turns request pair by request pair, alternating which goes first. Two builds in one process read
// differently depending on which one the process loaded first (4-14 µs here, whichever build it was), so they are
// kept apart. Run an A/A (the same build twice) first: its difference is this machine's floor.
//
//   node tooling/bench/src/ab-latency.mjs <buildA> <buildB> [rounds=5] [pairsPerRound=2000]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.mjs';

const [buildA, buildB, roundsArg = '5', pairsArg = '2000'] = process.argv.slice(2);
if (buildA === undefined || buildB === undefined) {
  console.error('usage: node ab-latency.mjs <buildA> <buildB> [rounds] [pairsPerRound]');
  process.exit(2);
}
const upstreamProcess = fork(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => upstreamProcess.once('message', (message) => resolve(message.url)));
const next = (child) => new Promise((resolve) => child.once('message', resolve));
async function start(root) {
  const child = fork(fileURLToPath(new URL('./ab-latency-arm.mjs', import.meta.url)), [root, upstream]);
  await next(child);
  return child;
}
async function ask(child, message) {
  const answer = next(child);
  child.send(message);
  return answer;
}

const arms = { A: await start(buildA), B: await start(buildB) };
const rows = [];
for (let round = 0; round <= Number(roundsArg); round += 1) {
  for (let pair = 0; pair < Number(pairsArg); pair += 1) {
    for (const name of pair % 2 === 0 ? ['A', 'B'] : ['B', 'A']) await ask(arms[name], 'step');
  }
  const row = {};
  for (const name of ['A', 'B']) {
    const { direct, routed } = await ask(arms[name], 'flush');
    row[name] = percentile(Float64Array.from(routed), 50) - percentile(Float64Array.from(direct), 50);
  }
  if (round === 0) continue;
  row.difference = row.B - row.A;
  rows.push(row);
  console.log(
    `round ${round}: added p50 c=1 A ${row.A.toFixed(1)} µs, B ${row.B.toFixed(1)} µs (B − A ${row.difference.toFixed(1)})`,
  );
}
const median = (key) => {
  const values = rows.map((row) => row[key]).sort((a, b) => a - b);
  return `${values[Math.floor(values.length / 2)].toFixed(1)} (${values[0].toFixed(1)} … ${values.at(-1).toFixed(1)})`;
};
console.log(`median: A ${median('A')} µs, B ${median('B')} µs, B − A ${median('difference')} µs`);
for (const child of Object.values(arms)) child.send('exit');
upstreamProcess.kill();
