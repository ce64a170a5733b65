// Row 14: a pool target over three replicas. Three loopback upstreams (each its own process, `upstream.mjs`), one
// `createPoolTarget` over three `createOpenAITarget`s, driven through `router.generate` with 24 requests in flight:
//   spread       how far the busiest or idlest replica is from an even third of the requests (target: ≤ 10 %)
//   kill         one replica is SIGKILLed under load: requests that failed (target: 0), and ms until the pool took it
//                out of rotation
//   readmit      the replica restarts on its port: ms until the pool sent it requests again, as a ratio of the probe
//                interval (target: ≤ 1, i.e. within one probe interval)
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAITarget } from '@switchyard/adapter-openai';
import { createPoolTarget } from '@switchyard/adapter-utils';
import { createRouter } from '@switchyard/core';
import { routedRequest } from '../clients.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const probeIntervalMs = 500;

function startUpstream(port = 0) {
  const child = fork(join(here, '..', 'upstream.mjs'), [String(port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, url: message.url }));
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code} before listening`)));
  });
}

/** Runs `total` requests with `concurrency` in flight; `onEach` runs after every answer. */
async function drive(router, total, concurrency, onEach = () => {}) {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      try {
        await router.generate(routedRequest());
      } catch {
        failed += 1;
      }
      onEach();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}

export async function run({ quick, log }) {
  const upstreams = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  const names = ['a', 'b', 'c'];
  const pool = createPoolTarget({
    replicas: Object.fromEntries(
      upstreams.map((upstream, index) => [
        names[index],
        createOpenAITarget({ baseURL: `${upstream.url}/v1`, model: 'zero', healthCacheMs: probeIntervalMs / 2 }),
      ]),
    ),
    sticky: false,
    probeIntervalMs,
  });
  const router = createRouter({ targets: { gpu: pool }, telemetry: false, policy: { execution: { retries: 0 } } });
  const total = quick ? 600 : 6000;
  try {
    await drive(router, 300, 24); // warm-up
    const before = pool.replicaStats();
    await drive(router, total, 24);
    const after = pool.replicaStats();
    const counts = names.map((name) => after[name].requests - before[name].requests);
    const even = total / 3;
    const spreadPct = (Math.max(...counts.map((count) => Math.abs(count - even))) / even) * 100;
    log(`pool spread: ${counts.join(' / ')} of ${total} (${spreadPct.toFixed(1)} % from even)`);

    // Kill b under load.
    const killedPort = new URL(upstreams[1].url).port;
    let outAt;
    const killedAt = performance.now();
    upstreams[1].child.kill('SIGKILL');
    const failedDuringKill = await drive(router, quick ? 300 : 1500, 24, () => {
      if (outAt === undefined && pool.replicaStats().b.state === 'out') outAt = performance.now();
    });
    const outAfterMs = outAt === undefined ? Number.NaN : outAt - killedAt;
    log(`pool kill: ${failedDuringKill} failed requests; replica out after ${outAfterMs.toFixed(1)} ms`);

    // Restart b on its port and measure until it serves again.
    const bRequests = pool.replicaStats().b.requests;
    upstreams[1] = await startUpstream(Number(killedPort));
    const restartedAt = performance.now();
    let backAt;
    while (backAt === undefined && performance.now() - restartedAt < 10 * probeIntervalMs) {
      await drive(router, 24, 24);
      if (pool.replicaStats().b.requests > bRequests) backAt = performance.now();
    }
    const readmitMs = backAt === undefined ? Number.NaN : backAt - restartedAt;
    log(`pool readmit: served again ${readmitMs.toFixed(0)} ms after restart (probe interval ${probeIntervalMs} ms)`);
    return {
      unit: '%',
      setup: 'router.generate over createPoolTarget(3 × createOpenAITarget) on three loopback upstreams, 24 in flight',
      total,
      counts,
      spreadPct,
      failedDuringKill,
      outAfterMs,
      readmitMs,
      readmitRatio: readmitMs / probeIntervalMs,
    };
  } finally {
    await router.dispose();
    await pool.dispose?.();
    for (const upstream of upstreams) upstream.child.kill('SIGTERM');
  }
}
