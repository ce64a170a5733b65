// Row 13: what sharing state through Redis costs per request. `router.generate` over an in-process paid target that
// answers at once, with a period budget (so every request reserves its estimate before dispatch and settles after),
// two routers in one process, arms alternating per round:
//   memory  the default in-process store (the baseline)
//   redis   @switchyard/store-redis against a real redis-server on a loopback port, started by this row
// Figures are wall µs per request (p50 of the round's calls), per round (redis − memory, redis / memory), then the
// median across rounds. Target: ≤ 300 µs added at p50. The settle after the answer is not awaited by the request,
// but its round trip shares the connection and the CPU, so it is in the figure.
import { createMemoryStateStore, createRouter } from '@switchyard/core';
import { createRedisStateStore } from '@switchyard/store-redis';
import { hasRedisServer, startRedisServer } from '@switchyard/testkit';
import { createInstantTarget } from '../clients.mjs';
import { acrossRounds, percentile } from '../stats.mjs';

const parts = [
  { type: 'text-delta', text: 'Hello there' },
  { type: 'usage', usage: { inputTokens: 10, outputTokens: 3 } },
  { type: 'finish', finishReason: 'stop' },
];
// A budget no run can spend, so every request reserves and settles and none is refused.
const policy = { budget: { maxCostUsd: { amount: 1_000_000, period: 'day' } } };
const request = () => ({ messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], maxTokens: 16 });

function paidTarget() {
  return {
    ...createInstantTarget(parts),
    capabilities: { ...createInstantTarget(parts).capabilities, price: { inputPer1M: 1, outputPer1M: 2 } },
  };
}

async function timeArm(router, calls) {
  const samples = new Float64Array(calls);
  for (let index = 0; index < calls; index += 1) {
    const start = performance.now();
    const result = await router.generate(request());
    samples[index] = (performance.now() - start) * 1000;
    if (result.text !== 'Hello there') throw new Error(`store row: unexpected answer ${result.text}`);
  }
  return percentile(samples, 50);
}

export async function run({ rounds, quick, log }) {
  if (!hasRedisServer())
    throw new Error('store row: redis-server is not on PATH; install the Debian package redis-server');
  const redis = await startRedisServer();
  const redisStore = await createRedisStateStore({ url: redis.url, keyPrefix: 'bench:' });
  const memoryStore = createMemoryStateStore();
  const routers = {
    memory: createRouter({ targets: { gpu: paidTarget() }, policy, store: memoryStore, telemetry: false }),
    redis: createRouter({ targets: { gpu: paidTarget() }, policy, store: redisStore, telemetry: false }),
  };
  const calls = quick ? 300 : 3000;
  const names = Object.keys(routers);
  const perRound = { memory: [], redis: [] };
  try {
    for (let round = 0; round <= rounds; round += 1) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      const times = {};
      for (const name of order) times[name] = await timeArm(routers[name], calls);
      if (round === 0) continue;
      perRound.memory.push(times.memory);
      perRound.redis.push(times.redis);
      log(
        `store round ${round}: memory p50 ${times.memory.toFixed(1)} µs, redis p50 ${times.redis.toFixed(1)} µs ` +
          `(+${(times.redis - times.memory).toFixed(1)} µs)`,
      );
    }
  } finally {
    for (const router of Object.values(routers)) await router.dispose();
    await redisStore.close();
    await memoryStore.close();
    await redis.stop();
  }
  const added = perRound.redis.map((value, index) => value - perRound.memory[index]);
  const ratio = perRound.redis.map((value, index) => value / perRound.memory[index]);
  return {
    unit: 'µs',
    setup:
      'router.generate with a period budget over an in-process paid target; wall p50 per request; memory vs Redis store',
    calls,
    memoryP50: acrossRounds(perRound.memory),
    redisP50: acrossRounds(perRound.redis),
    added: acrossRounds(added),
    ratio: acrossRounds(ratio),
  };
}
