// Row 7's most load-robust figure: process CPU (utime + stime from /proc/<pid>/stat, Linux) per answered request of
// two arms under autocannon load (8 connections each), the two arms loaded AT THE SAME TIME, so both see the same
// moments of this shared, noisy machine (run one after the other, single rounds differ by 1.5x; side by side, an A/A
// run reads 0.99 with rounds within ±7 %). Arms: `switchyard serve` of this checkout against the minimal proxy, or
// against the gateway of another checkout (`--against <repo dir>`, built: a before/after of two commits).
//
//   node tooling/bench/src/cpu-per-request.mjs [--rounds 10] [--seconds 2] [--mode json|stream] [--against DIR]
//
// The gateway/proxy CPU ratio bounds the RPS ratio a quiet machine could reach (≥ 0.8x RPS needs ≤ 1.25x CPU).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chatBody, load, startGateway, startMinimalProxy } from './gateway-arms.mjs';
import { median } from './stats.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'json' },
    against: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of a process, in µs. */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
}

const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'upstream.mjs'), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => child.once('message', (message) => resolve(message.url)));
const baseName = values.against ? `gateway of ${values.against}` : 'minimal proxy';
const arms = {
  gateway: await startGateway(upstream),
  base: values.against
    ? await startGateway(upstream, { cli: join(values.against, 'packages/server/dist/cli.js') })
    : await startMinimalProxy(upstream),
};
const body = chatBody('switchyard/auto', values.mode === 'stream');
const perRound = [];
try {
  for (let round = 0; round <= rounds; round += 1) {
    const names = Object.keys(arms);
    const before = names.map((name) => cpuMicros(arms[name].pid));
    const results = await Promise.all(
      names.map((name) => load(arms[name].url, { body, connections: 8, seconds, label: name })),
    );
    const figures = Object.fromEntries(
      names.map((name, index) => [
        name,
        { cpu: (cpuMicros(arms[name].pid) - before[index]) / (results[index].rps * seconds), rps: results[index].rps },
      ]),
    );
    if (round > 0) perRound.push(figures); // round 0 warms up
  }
} finally {
  await Promise.all(Object.values(arms).map((arm) => arm.close()));
  child.kill();
}
const show = (list) => list.map((value) => value.toFixed(2)).join(' ');
const cpuRatios = perRound.map((figures) => figures.gateway.cpu / figures.base.cpu);
const rpsRatios = perRound.map((figures) => figures.gateway.rps / figures.base.rps);
console.log(
  `${values.mode}, ${rounds} rounds of ${seconds} s, this gateway vs the ${baseName}\n` +
    `  CPU µs per request: gateway ${median(perRound.map((figures) => figures.gateway.cpu)).toFixed(0)}, ` +
    `base ${median(perRound.map((figures) => figures.base.cpu)).toFixed(0)} (medians)\n` +
    `  CPU per request gateway/base: ${median(cpuRatios).toFixed(3)} (rounds: ${show(cpuRatios)})\n` +
    `  RPS gateway/base:             ${median(rpsRatios).toFixed(3)} (rounds: ${show(rpsRatios)})`,
);
