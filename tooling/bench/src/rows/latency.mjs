// Rows 1 and 2: added latency (p50/p99 at concurrency 1 and 32) and the throughput ratio at concurrency 64.
// Arms per round (at concurrency 1 taking turns request by request; otherwise one block each, in alternating order): `direct` (undici.request, JSON), `routed` (router.generate through
// adapter-openai, which asks the upstream for one JSON body: the target declares `wholeAnswers` and the default policy
// needs no first token), and `adapter` (adapter-openai's target.generate(), the same JSON call, without the router)
// to split the added cost between the adapter and the router.
// Row 2's headline figure is paired (`paired-cpu.mjs`): after the rounds, direct and routed batches at concurrency 64
// take turns (ABBA), and this process's CPU per request of each gives direct CPU / routed CPU, the throughput the
// client's CPU allows the router relative to the direct call, with an A/A of each arm. The RPS ratio of one block per
// arm per round is kept as a secondary figure: on this shared machine it moves 0.76 … 1.18 between rounds.
import {
  armOrder,
  createDirectAgent,
  createRoutedArm,
  directJson,
  routedRequest,
  runConcurrent,
  runInterleaved,
} from '../clients.mjs';
import { pairedCpu } from '../paired-cpu.mjs';
import { paired, percentile } from '../stats.mjs';

export async function run({ upstream, rounds, quick, log }) {
  const agent = createDirectAgent();
  const { router, target } = createRoutedArm(upstream, 'zero');
  const arms = {
    direct: () => directJson(agent, upstream, 'zero'),
    routed: async () => {
      const result = await router.generate(routedRequest());
      if (result.text.length === 0) throw new Error('routed: empty answer');
    },
    adapter: async () => {
      const result = await target.generate(routedRequest());
      if (result.text.length === 0) throw new Error('adapter: empty answer');
    },
  };
  const sizes = quick ? { 1: 200, 32: 400, 64: 600 } : { 1: 3000, 32: 6000, 64: 10_000 };
  const perRound = { c1: [], c32: [], c64: [] };

  for (let round = 0; round <= rounds; round += 1) {
    const warmup = round === 0;
    const record = { c1: {}, c32: {}, c64: {} };
    // Concurrency 1: the arms take turns request by request. Concurrency 32: one block per arm (the load is the point).
    const single = await runInterleaved(sizes[1], arms);
    for (const [arm, latencies] of Object.entries(single)) {
      record.c1[arm] = { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    }
    for (const arm of armOrder(['direct', 'routed', 'adapter'], round)) {
      const { latencies } = await runConcurrent(sizes[32], 32, arms[arm]);
      record.c32[arm] = { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    }
    for (const arm of armOrder(['direct', 'routed', 'adapter'], round)) {
      const { elapsedNs } = await runConcurrent(sizes[64], 64, arms[arm]);
      record.c64[arm] = { rps: sizes[64] / (elapsedNs / 1e9) };
    }
    if (warmup) continue;
    for (const key of Object.keys(perRound)) perRound[key].push(record[key]);
    log(
      `latency round ${round}: c1 p50 direct ${record.c1.direct.p50.toFixed(0)} µs routed ${record.c1.routed.p50.toFixed(0)} µs; ` +
        `c64 rps direct ${record.c64.direct.rps.toFixed(0)} routed ${record.c64.routed.rps.toFixed(0)}`,
    );
  }
  // Row 2, paired: 4 batches per block, 4 blocks per round (at 5 rounds: 80 batches of 1 500 requests).
  const cpu = await pairedCpu(
    { direct: arms.direct, routed: arms.routed },
    quick ? { blocks: 2, perBatch: 300, warmup: 1 } : { blocks: 4 * rounds, perBatch: 1500, warmup: 4 },
  );
  log(
    `latency paired CPU, c64: direct ${cpu.cpuPerRequest.direct.median.toFixed(1)} µs, routed ${cpu.cpuPerRequest.routed.median.toFixed(1)} µs per request; ` +
      `direct/routed ${cpu.ratio.median.toFixed(3)} (quartiles ${cpu.ratio.q1.toFixed(3)} … ${cpu.ratio.q3.toFixed(3)}); ` +
      `A/A direct ${cpu.aa.direct.median.toFixed(3)}, routed ${cpu.aa.routed.median.toFixed(3)}`,
  );
  await agent.close();

  const pick = (key, arm, figure) => perRound[key].map((entry) => entry[arm][figure]);
  const latency = {};
  for (const key of ['c1', 'c32']) {
    latency[key] = {
      p50: paired(pick(key, 'routed', 'p50'), pick(key, 'direct', 'p50')),
      p99: paired(pick(key, 'routed', 'p99'), pick(key, 'direct', 'p99')),
      adapterOnly: {
        p50: paired(pick(key, 'adapter', 'p50'), pick(key, 'direct', 'p50')),
        p99: paired(pick(key, 'adapter', 'p99'), pick(key, 'direct', 'p99')),
      },
    };
  }
  return {
    unit: 'µs',
    requests: sizes,
    latency,
    throughput: {
      concurrency: 64,
      ratio: paired(pick('c64', 'routed', 'rps'), pick('c64', 'direct', 'rps')).ratio,
      routedRps: paired(pick('c64', 'routed', 'rps'), pick('c64', 'direct', 'rps')).routed,
      directRps: paired(pick('c64', 'routed', 'rps'), pick('c64', 'direct', 'rps')).direct,
      adapterRatio: paired(pick('c64', 'adapter', 'rps'), pick('c64', 'direct', 'rps')).ratio,
      // Row 2's headline: direct CPU / routed CPU per request, per ABBA pair (see paired-cpu.mjs).
      cpu,
    },
  };
}
