// Row 7 as a before/after of two builds in one run: the minimal proxy (the ceiling), the gateway of another checkout
// (`--against <repo dir>`, built) and this checkout's gateway, under the row's load (autocannon, 16 connections, same
// body), JSON and streaming. The three arms take turns in a rotating order round by round, so each sees the same
// moments of this shared machine; every figure is a ratio within one round, then the median (min … max) across rounds.
//
//   node tooling/bench/src/gateway-ab.mjs --against DIR [--rounds 6] [--seconds 3] [--connections 16]
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chatBody, load, startGateway, startMinimalProxy } from './gateway-arms.mjs';
import { median } from './stats.mjs';

const { values } = parseArgs({
  options: {
    against: { type: 'string' },
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
  },
});
if (!values.against)
  throw new Error('--against <repo dir>: the built checkout to compare with (e.g. a work tree of main)');
const rounds = Number(values.rounds);
const options = { connections: Number(values.connections), seconds: Number(values.seconds) };

const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'upstream.mjs'), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => child.once('message', (message) => resolve(message.url)));
const servers = {
  proxy: await startMinimalProxy(upstream),
  base: await startGateway(upstream, { cli: join(values.against, 'packages/server/dist/cli.js') }),
  this: await startGateway(upstream),
};
const names = Object.keys(servers);
const modes = { json: false, stream: true };
const perMode = { json: [], stream: [] };
const loadBefore = loadavg()[0];
try {
  for (let round = 0; round <= rounds; round += 1) {
    for (const [mode, stream] of Object.entries(modes)) {
      const order = names.map((_, index) => names[(index + round) % names.length]);
      const record = {};
      for (const name of order) {
        const body = chatBody('switchyard/auto', stream);
        record[name] = await load(servers[name].url, { ...options, body, label: name });
      }
      if (round > 0) perMode[mode].push(record); // round 0 warms up
    }
  }
} finally {
  await Promise.all(Object.values(servers).map((server) => server.close()));
  child.kill();
}
const loadAfter = loadavg()[0];
const spread = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return `${median(list).toFixed(3)} (${sorted[0].toFixed(3)} … ${sorted.at(-1).toFixed(3)})`;
};
console.log(
  `row 7 A/B, ${rounds} rounds of ${options.seconds} s per arm, ${options.connections} connections, ` +
    `this checkout vs ${values.against}; load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
);
for (const [mode, records] of Object.entries(perMode)) {
  const ratio = (a, b, figure) => records.map((record) => record[a][figure] / record[b][figure]);
  const p50 = (name) => median(records.map((record) => record[name].p50)) / 1000;
  console.log(
    `${mode}:\n` +
      `  RPS this/proxy ${spread(ratio('this', 'proxy', 'rps'))}   base/proxy ${spread(ratio('base', 'proxy', 'rps'))}\n` +
      `  RPS this/base  ${spread(ratio('this', 'base', 'rps'))}\n` +
      `  p50 ms proxy ${p50('proxy').toFixed(2)}, base ${p50('base').toFixed(2)}, this ${p50('this').toFixed(2)}`,
  );
}
