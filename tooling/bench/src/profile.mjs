// Profiling helper: `node --cpu-prof --cpu-prof-dir=/tmp/prof tooling/bench/src/profile.mjs [routed|direct|gateway-client] [N]`
// runs one arm of the throughput row (concurrency 64) against a fresh loopback upstream, then
// `node tooling/bench/src/top-functions.mjs /tmp/prof/*.cpuprofile` lists where the time went.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDirectAgent, createRoutedArm, directJson, routedRequest, runConcurrent } from './clients.mjs';

const [arm = 'routed', count = '20000'] = process.argv.slice(2);
const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'upstream.mjs'), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => child.once('message', (message) => resolve(message.url)));
const agent = createDirectAgent();
const { router } = createRoutedArm(upstream, 'zero');
const fn = arm === 'direct' ? () => directJson(agent, upstream, 'zero') : () => router.generate(routedRequest());
const { elapsedNs } = await runConcurrent(Number(count), 64, fn);
console.log(`${arm}: ${(Number(count) / (elapsedNs / 1e9)).toFixed(0)} req/s`);
await agent.close();
child.kill();
