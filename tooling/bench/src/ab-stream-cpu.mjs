// core's CPU per `router.stream()` for two builds of the repository, paired in one run: each build in its own process
// (`ab-stream-cpu-arm.mjs`: a router over an in-process target that streams one text part, usage and finish, like the
// bench upstream's `zero` model, read to its end by 16 concurrent loops), the two taking turns batch by batch and
// alternating which goes first. No network, so a change of a microsecond in core's streaming path is visible here
// where the gateway's CPU per request (~150-250 µs, ±5 % between rounds) would hide it. Run an A/A first.
//
//   node tooling/bench/src/ab-stream-cpu.mjs <buildA> <buildB> [pairs=60] [requestsPerBatch=4000]
import { fork } from 'node:child_process';
import { median } from './stats.mjs';

const [buildA, buildB, pairs = '60', perBatch = '4000'] = process.argv.slice(2);
if (!buildA || !buildB) throw new Error('usage: ab-stream-cpu.mjs <buildA> <buildB> [pairs] [requestsPerBatch]');
const armScript = new URL('./ab-stream-cpu-arm.mjs', import.meta.url).pathname;
const start = (dir) => {
  const child = fork(armScript, [dir]);
  return new Promise((resolve) => child.once('message', () => resolve(child)));
};
const batch = (child, count) =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send(count);
  });
const [a, b] = [await start(buildA), await start(buildB)];
for (let warm = 0; warm < 5; warm += 1) {
  await batch(a, 2000);
  await batch(b, 2000);
}
const cpuA = [];
const cpuB = [];
for (let pair = 0; pair < Number(pairs); pair += 1) {
  const order = pair % 2 === 0 ? [a, b] : [b, a];
  for (const child of order) (child === a ? cpuA : cpuB).push(await batch(child, Number(perBatch)));
}
a.kill();
b.kill();
const sorted = (list) => [...list].sort((x, y) => x - y);
const quartile = (list, at) => sorted(list)[Math.floor(list.length * at)];
const ratios = cpuB.map((value, index) => value / cpuA[index]);
const diffs = cpuB.map((value, index) => value - cpuA[index]);
console.log(
  `router.stream() CPU per request, ${pairs} pairs of ${perBatch}: A ${median(cpuA).toFixed(2)} µs, B ${median(cpuB).toFixed(2)} µs\n` +
    `  B/A ${median(ratios).toFixed(3)} (quartiles ${quartile(ratios, 0.25).toFixed(3)} … ${quartile(ratios, 0.75).toFixed(3)}), ` +
    `B − A paired ${median(diffs).toFixed(2)} µs (quartiles ${quartile(diffs, 0.25).toFixed(2)} … ${quartile(diffs, 0.75).toFixed(2)})`,
);
