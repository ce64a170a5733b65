// What OpenTelemetry metrics cost the gateway, per request: two gateways built like `switchyard serve`'s (one openai
// target on the loopback upstream, remote-only) that differ only in which side records into the shared Prometheus
// registry (`both`, `router`: the router's GenAI metrics only, `gateway`: the gateway's own only, `none`), loaded at
// the same time (8 connections each, as cpu-per-request.mjs), CPU per answered request from /proc/<pid>/stat.
// Run `--pair none,none` for this machine's A/A noise.
//
//   node tooling/bench/src/metrics-cost.mjs [--pair both,none] [--rounds 8] [--seconds 2]
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(import.meta.url);
const modes = ['both', 'router', 'gateway', 'none'];

if (process.argv[2] === '--child') {
  // One gateway in this child process; its URL goes to the parent over IPC.
  const [, , , mode, upstream] = process.argv;
  const { createGateway, createPrometheusRegistry, createRouterFromConfig, parseConfig } = await import(
    '@switchyard/server'
  );
  const config = parseConfig({
    targets: { gpu: { adapter: 'openai', baseURL: `${upstream}/v1`, model: 'zero' } },
    policy: { mode: 'remote-only' },
  });
  const registry = createPrometheusRegistry();
  const routerRecords = mode === 'both' || mode === 'router';
  const gatewayRecords = mode === 'both' || mode === 'gateway';
  const built = await createRouterFromConfig(
    config,
    routerRecords ? { telemetry: { meterProvider: registry.meterProvider } } : {},
  );
  const gateway = createGateway({ router: built.router, metrics: gatewayRecords ? { registry } : false });
  process.send({ url: await gateway.listen({ port: 0 }) });
  process.once('SIGTERM', async () => {
    await gateway.close({ graceMs: 100 });
    await built.dispose();
    await registry.shutdown();
    process.exit(0);
  });
} else {
  const { chatBody, load } = await import('./gateway-arms.mjs');
  const { median } = await import('./stats.mjs');
  const { values } = parseArgs({
    options: {
      pair: { type: 'string', default: 'both,none' },
      rounds: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '2' },
    },
  });
  const pair = values.pair.split(',');
  if (pair.length !== 2 || pair.some((mode) => !modes.includes(mode))) {
    throw new Error(`--pair: two of ${modes.join(', ')}, comma-separated (e.g. both,none)`);
  }
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const cpuMicros = (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // USER_HZ ticks
  };
  const upstreamChild = fork(join(dirname(here), 'upstream.mjs'), [], { stdio: 'inherit' });
  const upstream = await new Promise((resolve) => upstreamChild.once('message', (message) => resolve(message.url)));
  const start = async (mode) => {
    const child = fork(here, ['--child', mode, upstream], { stdio: 'inherit' });
    const { url } = await new Promise((resolve) => child.once('message', resolve));
    return { child, url };
  };
  const arms = [await start(pair[0]), await start(pair[1])];
  const loadBefore = loadavg()[0];
  try {
    for (const mode of ['json', 'stream']) {
      const body = chatBody('switchyard/auto', mode === 'stream');
      const ratios = [];
      for (let round = 0; round <= rounds; round += 1) {
        const before = arms.map((arm) => cpuMicros(arm.child.pid));
        const results = await Promise.all(
          arms.map((arm, index) => load(arm.url, { body, connections: 8, seconds, label: pair[index] })),
        );
        const perRequest = arms.map(
          (arm, index) => (cpuMicros(arm.child.pid) - before[index]) / (results[index].rps * seconds),
        );
        if (round > 0) ratios.push(perRequest[0] / perRequest[1]); // round 0 warms up
      }
      const sorted = [...ratios].sort((a, b) => a - b);
      console.log(
        `${mode}: CPU per request ${pair[0]} / ${pair[1]} ${median(ratios).toFixed(3)} ` +
          `(${sorted[0].toFixed(2)} … ${sorted.at(-1).toFixed(2)}, ${rounds} rounds of ${seconds} s)`,
      );
    }
  } finally {
    await Promise.all(
      arms.map(
        ({ child }) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    upstreamChild.kill();
  }
  console.log(`load average ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
}
