// Profiling helper for row 7: `node tooling/bench/src/profile-gateway.mjs [json|stream] [seconds] [dir]` runs
// `switchyard serve` under `--cpu-prof` with the row's load (autocannon, 16 connections) against a fresh loopback
// upstream, then `node tooling/bench/src/top-functions.mjs <dir>/*.cpuprofile` lists where the gateway's time went.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatBody, load, startGateway } from './gateway-arms.mjs';

const [mode = 'json', seconds = '8', dir = '/tmp/switchyard-gateway-prof'] = process.argv.slice(2);
const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'upstream.mjs'), [], { stdio: 'inherit' });
const upstream = await new Promise((resolve) => child.once('message', (message) => resolve(message.url)));
const gateway = await startGateway(upstream, { execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
const body = chatBody('switchyard/auto', mode === 'stream');
await load(gateway.url, { body, connections: 16, seconds: 1, label: 'warm-up' });
const result = await load(gateway.url, { body, connections: 16, seconds: Number(seconds), label: 'profile' });
console.log(`gateway ${mode}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(0)} µs; profile in ${dir}`);
await gateway.close();
child.kill();
